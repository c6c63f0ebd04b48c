package gittest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSHServer serves the repositories under Root over SSH, running the git
// binary's upload-pack and receive-pack for authorised clients.
type SSHServer struct {
	Root string
	Addr string // 127.0.0.1:PORT
	// HostKey is the server's public key; HostKeyLine its authorized_keys form
	// (to pin), KnownHosts a known_hosts line for Addr.
	HostKey     gossh.PublicKey
	HostKeyLine []byte
	KnownHosts  []byte
	// ClientKeyPEM is an OpenSSH private key the server accepts.
	ClientKeyPEM []byte
}

// NewSSHServer starts an SSH git server for a new temporary root with fresh
// ed25519 host and client keys.
func NewSSHServer(t testing.TB) *SSHServer {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skipf("git not installed: %v", err)
	}
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := gossh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	clientPub, clientPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(clientPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	authorized, err := gossh.NewPublicKey(clientPub)
	if err != nil {
		t.Fatal(err)
	}
	s := &SSHServer{Root: t.TempDir(), HostKey: hostSigner.PublicKey(), ClientKeyPEM: pem.EncodeToMemory(block)}
	s.HostKeyLine = gossh.MarshalAuthorizedKey(s.HostKey)

	srv := &ssh.Server{
		Handler: func(sess ssh.Session) { s.serve(sess, gitBin) },
		PublicKeyHandler: func(_ ssh.Context, key ssh.PublicKey) bool {
			return ssh.KeysEqual(key, authorized)
		},
	}
	srv.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	s.KnownHosts = []byte(knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, s.HostKey) + "\n")
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// RepoURL is the ssh:// URL of ROOT/name.
func (s *SSHServer) RepoURL(name string) string {
	return "ssh://git@" + s.Addr + "/" + name
}

// CLIEnv returns the environment that makes the git CLI use this server's
// client key and pin its host key (files written under dir).
func (s *SSHServer) CLIEnv(t testing.TB) []string {
	t.Helper()
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	kh := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(key, s.ClientKeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kh, s.KnownHosts, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{fmt.Sprintf("GIT_SSH_COMMAND=ssh -i %s -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes", key, kh)}
}

// serve maps "git-upload-pack '/x.git'" or "git-receive-pack '/x.git'" to the
// git binary on ROOT/x.git. Paths are cleaned and confined to Root.
func (s *SSHServer) serve(sess ssh.Session, gitBin string) {
	args := sess.Command()
	if len(args) != 2 || (args[0] != "git-upload-pack" && args[0] != "git-receive-pack") {
		fmt.Fprintln(sess.Stderr(), "only git-upload-pack and git-receive-pack are served")
		_ = sess.Exit(1)
		return
	}
	rel := path.Clean("/" + strings.Trim(args[1], "'\""))
	dir := filepath.Join(s.Root, filepath.FromSlash(rel))
	if !strings.HasPrefix(dir, s.Root+string(filepath.Separator)) {
		fmt.Fprintln(sess.Stderr(), "path outside root")
		_ = sess.Exit(1)
		return
	}
	cmd := exec.Command(gitBin, strings.TrimPrefix(args[0], "git-"), dir)
	cmd.Env = Env()
	cmd.Stdout, cmd.Stderr = sess, sess.Stderr()
	// Feeding the session through a pipe: cmd.Stdin = sess can hang Wait.
	stdin, err := cmd.StdinPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		fmt.Fprintln(sess.Stderr(), err)
		_ = sess.Exit(1)
		return
	}
	go func() {
		_, _ = io.Copy(stdin, sess)
		_ = stdin.Close()
	}()
	code := 0
	if err := cmd.Wait(); err != nil {
		code = 1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	_ = sess.Exit(code)
}
