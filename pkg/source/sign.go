package source

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// SigningKey is an OpenPGP private key that signs the reconciler's commits.
type SigningKey struct {
	entity *openpgp.Entity
}

// ReadSigningKey reads an armored OpenPGP private key, decrypting it with
// passphrase when it is protected.
func ReadSigningKey(armored, passphrase []byte) (*SigningKey, error) {
	ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	if len(ring) != 1 {
		return nil, fmt.Errorf("read signing key: want exactly one key, got %d", len(ring))
	}
	e := ring[0]
	if e.PrivateKey == nil {
		return nil, errors.New("read signing key: no private key")
	}
	if e.PrivateKey.Encrypted {
		if len(passphrase) == 0 {
			return nil, errors.New("read signing key: key is encrypted and no passphrase was given")
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, errors.New("read signing key: wrong passphrase")
		}
	}
	return &SigningKey{entity: e}, nil
}

// NewSigningKey generates an Ed25519 OpenPGP key (fast; RSA-3072 takes seconds)
// valid from now, for tests and the demo.
func NewSigningKey(name, email string, now time.Time) (*SigningKey, error) {
	cfg := &packet.Config{
		Algorithm: packet.PubKeyAlgoEdDSA,
		Time:      func() time.Time { return now },
	}
	e, err := openpgp.NewEntity(name, "", email, cfg)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return &SigningKey{entity: e}, nil
}

// ArmoredPublicKey is the public half, the form VerifyKeyRing and
// `gpg --import` take.
func (k *SigningKey) ArmoredPublicKey() (string, error) {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		return "", fmt.Errorf("armor public key: %w", err)
	}
	if err := k.entity.Serialize(w); err != nil {
		return "", fmt.Errorf("serialize public key: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("armor public key: %w", err)
	}
	return b.String(), nil
}

// ArmoredPrivateKey is the unencrypted private key (for ReadSigningKey). Treat
// it as a secret.
func (k *SigningKey) ArmoredPrivateKey() (string, error) {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	if err != nil {
		return "", fmt.Errorf("armor private key: %w", err)
	}
	if err := k.entity.SerializePrivate(w, nil); err != nil {
		return "", fmt.Errorf("serialize private key: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("armor private key: %w", err)
	}
	return b.String(), nil
}

// Fingerprint is the key's fingerprint in upper-case hex.
func (k *SigningKey) Fingerprint() string {
	return strings.ToUpper(fmt.Sprintf("%x", k.entity.PrimaryKey.Fingerprint))
}

// sign sets c.PGPSignature to a detached armored signature over the commit
// encoded without its signature, exactly as go-git's CommitOptions.SignKey
// does for worktree commits (and as `git verify-commit` expects).
func (k *SigningKey) sign(c *object.Commit) error {
	enc := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(enc); err != nil {
		return fmt.Errorf("encode commit for signing: %w", err)
	}
	r, err := enc.Reader()
	if err != nil {
		return fmt.Errorf("encode commit for signing: %w", err)
	}
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, k.entity, r, nil); err != nil {
		return fmt.Errorf("sign commit: %w", err)
	}
	c.PGPSignature = sig.String()
	return nil
}

func readKeyRing(armored string) (openpgp.EntityList, error) {
	ring, err := openpgp.ReadArmoredKeyRing(strings.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("read verification key ring: %w", err)
	}
	if len(ring) == 0 {
		return nil, errors.New("read verification key ring: no keys")
	}
	return ring, nil
}

// verifyCommit checks c's OpenPGP signature against the armored key ring and
// names the signer. go-git's Commit.Verify checks key expiry at time.Now() and
// rejects several signature blocks; it does not bind the key to the
// committer's e-mail, and neither do we.
func verifyCommit(c *object.Commit, keyRing string) (string, error) {
	if c.PGPSignature == "" {
		return "", errors.New("commit is not signed")
	}
	e, err := c.Verify(keyRing)
	if err != nil {
		return "", fmt.Errorf("verify signature: %w", err)
	}
	ids := make([]string, 0, len(e.Identities))
	for id := range e.Identities {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	who := fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)
	if len(ids) > 0 {
		who = ids[0] + " " + who
	}
	return who, nil
}
