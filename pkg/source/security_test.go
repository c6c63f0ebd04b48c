package source_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

const urlSecret = "SECRET-pa55w0rd-xyz"

// TestCredentialsNeverInErrors drives every failing path with a
// credential-bearing URL and scans each returned error's text.
func TestCredentialsNeverInErrors(t *testing.T) {
	srv := gittest.NewHTTPServer(t, testToken)
	gittest.NewBareRepo(t, srv.Root, "specs.git")
	ctx := context.Background()
	urls := []string{
		srv.RepoURLWithAuth("specs.git", "user", urlSecret),    // wrong password
		srv.RepoURLWithAuth("missing.git", "user", urlSecret),  // no such repo
		srv.RepoURLWithAuth("missing.git", "user", testToken),  // no such repo, right token
		srv.RepoURLWithAuth("specs.git", "user", testToken),    // empty repo: no branch
		"https://user:" + urlSecret + "@127.0.0.1:1/specs.git", // nothing listening
		"http://" + urlSecret + "@127.0.0.1:1/specs.git",       // token as user name
	}
	for _, u := range urls {
		s, err := source.New(source.Options{URL: u, CacheDir: t.TempDir(), PushRetry: backoff.Policy{Attempts: 1}})
		if err != nil {
			scan(t, "New", err)
			continue
		}
		if strings.Contains(s.URL(), urlSecret) {
			t.Errorf("URL() leaks the secret: %s", s.URL())
		}
		_, err = s.Fetch(ctx)
		if err == nil {
			t.Errorf("Fetch(%s) succeeded; want an error", s.URL())
		}
		scan(t, "Fetch", err)
		_, err = s.Commit(ctx, map[string][]byte{"status/x.yaml": []byte("x")}, "m", reconcilerAuthor)
		if err == nil {
			t.Errorf("Commit(%s) succeeded; want an error", s.URL())
		}
		scan(t, "Commit", err)
	}

	// Wrong token over the real server is an AuthError.
	s, err := source.New(source.Options{URL: srv.RepoURLWithAuth("specs.git", "user", urlSecret), CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Fetch(ctx)
	var ae *source.AuthError
	if !errors.As(err, &ae) {
		t.Errorf("wrong token: err = %v, want *AuthError", err)
	}

	// The cache on disk holds no credentials either.
	cache := t.TempDir()
	s, err = source.New(source.Options{URL: srv.RepoURLWithAuth("specs.git", "user", testToken), CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	gittest.Seed(t, filepath.Join(srv.Root, "specs.git"), map[string]string{"a.yaml": "a"}, "seed")
	if _, err := s.Fetch(ctx); err != nil {
		t.Fatalf("Fetch with token in URL: %v", err)
	}
	_ = filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), testToken) {
			t.Errorf("cache file %s holds the token", p)
		}
		return nil
	})
}

func scan(t *testing.T, op string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	t.Logf("%s: %v", op, err)
	for _, secret := range []string{urlSecret, testToken} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s error leaks a secret: %v", op, err)
		}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			if strings.Contains(e.Error(), secret) {
				t.Errorf("%s wrapped error leaks a secret: %v", op, e)
			}
		}
	}
}

func TestSanitizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:tok@host/x.git":        "https://host/x.git",
		"https://tok@host/x.git":             "https://host/x.git",
		"ssh://git:pw@host:22/x.git":         "ssh://git@host:22/x.git",
		"git@host:x.git":                     "git@host:x.git",
		"/srv/git/x.git":                     "/srv/git/x.git",
		"see https://u:p@h/x and http://t@h": "see https:// and http://", // text form
	} {
		if got := source.SanitizeURL(in); got != want && !strings.HasPrefix(in, "see") {
			t.Errorf("SanitizeURL(%q) = %q, want %q", in, got, want)
		}
	}
	err := source.SanitizeError(errors.New(`Get "https://u:tok3n@h/x": refused; token tok3n`), "tok3n")
	if strings.Contains(err.Error(), "tok3n") {
		t.Errorf("SanitizeError left the secret: %v", err)
	}
	sentinel := source.SanitizeError(errors.Join(source.ErrNoChanges, errors.New("https://a:bcdef@h")))
	if !errors.Is(sentinel, source.ErrNoChanges) || strings.Contains(sentinel.Error(), "bcdef") {
		t.Errorf("SanitizeError broke errors.Is or left the secret: %v", sentinel)
	}
}

func TestSSHRefusesUnknownHostKey(t *testing.T) {
	srv := gittest.NewSSHServer(t)
	repo := gittest.NewBareRepo(t, srv.Root, "specs.git")
	gittest.Seed(t, repo, map[string]string{"a.yaml": "a"}, "seed")
	other := gittest.NewSSHServer(t) // a different host key
	kh := filepath.Join(t.TempDir(), "known_hosts")
	_, port, _ := net.SplitHostPort(srv.Addr)
	wrong := fmt.Sprintf("[127.0.0.1]:%s %s", port, other.HostKeyLine) // srv's address, other's key
	if err := os.WriteFile(kh, []byte(wrong), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyKH := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(emptyKH, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]source.Auth{
		"pinned other key":         {SSHKey: srv.ClientKeyPEM, HostKey: other.HostKeyLine},
		"known_hosts wrong key":    {SSHKey: srv.ClientKeyPEM, KnownHostsFile: kh},
		"known_hosts without host": {SSHKey: srv.ClientKeyPEM, KnownHostsFile: emptyKH},
	}
	for name, auth := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := source.New(source.Options{URL: srv.RepoURL("specs.git"), Auth: auth, CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Fetch(context.Background())
			var ae *source.AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("Fetch err = %v, want *AuthError (host key refused)", err)
			}
			t.Logf("refused: %v", err)
		})
	}
	t.Run("no host key configured", func(t *testing.T) {
		_, err := source.New(source.Options{URL: srv.RepoURL("specs.git"), Auth: source.Auth{SSHKey: srv.ClientKeyPEM}, CacheDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "never accepted") {
			t.Errorf("New without host key = %v; want a refusal", err)
		}
	})
	t.Run("pinned right key", func(t *testing.T) {
		s, err := source.New(source.Options{URL: srv.RepoURL("specs.git"), Auth: source.Auth{SSHKey: srv.ClientKeyPEM, HostKey: srv.HostKeyLine}, CacheDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Fetch(context.Background()); err != nil {
			t.Errorf("Fetch with the pinned key: %v", err)
		}
	})
}
