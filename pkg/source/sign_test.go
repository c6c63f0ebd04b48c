package source_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

func TestSigningRoundTrip(t *testing.T) {
	r := fileRemote(t)
	seed(t, r, specFiles, "add specs")
	key, err := source.NewSigningKey("Reconciler", "bot@example.test", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.ArmoredPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	// The private key survives an armor round trip.
	priv, err := key.ArmoredPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	reread, err := source.ReadSigningKey([]byte(priv), nil)
	if err != nil || reread.Fingerprint() != key.Fingerprint() {
		t.Fatalf("ReadSigningKey = %v, %v; want fingerprint %s", reread, err, key.Fingerprint())
	}

	ctx := context.Background()
	s := newSource(t, r, func(o *source.Options) { o.Signer = reread; o.VerifyKeyRing = pub })

	// The user's seed commit is unsigned: refused, nothing returned.
	_, err = s.Fetch(ctx)
	var uc *source.UnsignedCommitError
	if !errors.As(err, &uc) || uc.Revision != gittest.Head(t, r.repoPath, "main") {
		t.Fatalf("Fetch of an unsigned head: err = %v, want *UnsignedCommitError for the head", err)
	}

	rev, err := s.Commit(ctx, map[string][]byte{"status/a.yaml": []byte("a: 1\n")}, "status", reconcilerAuthor)
	if err != nil {
		t.Fatalf("signed Commit: %v", err)
	}
	co, err := s.Fetch(ctx)
	if err != nil {
		t.Fatalf("Fetch of our signed head: %v", err)
	}
	if co.Revision != rev || !strings.Contains(co.SignedBy, key.Fingerprint()) {
		t.Errorf("Fetch = %s signed by %q; want %s signed by %s", co.Revision, co.SignedBy, rev, key.Fingerprint())
	}

	// A key that is not in the ring is refused.
	other, err := source.NewSigningKey("Other", "other@example.test", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	otherPub, _ := other.ArmoredPublicKey()
	strict := newSource(t, r, func(o *source.Options) { o.VerifyKeyRing = otherPub })
	if _, err := strict.Fetch(ctx); !errors.As(err, &uc) {
		t.Errorf("Fetch with a ring lacking the signer: err = %v, want *UnsignedCommitError", err)
	}

	// git itself accepts our signature.
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg not installed: skipping git verify-commit")
	}
	home := t.TempDir()
	imp := exec.Command("gpg", "--batch", "--import")
	imp.Env = append(gittest.Env(), "GNUPGHOME="+home)
	imp.Stdin = strings.NewReader(pub)
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("gpg --import: %v: %s", err, out)
	}
	if _, err := gittest.RunErr(r.repoPath, []string{"GNUPGHOME=" + home}, "verify-commit", rev); err != nil {
		t.Fatalf("git verify-commit: %v", err)
	}
}
