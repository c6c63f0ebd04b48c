package source_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// remote is one real git server flavour with a bare repository "specs.git".
type remote struct {
	name     string
	repoPath string      // the bare repository on disk
	url      string      // what the Source is given
	auth     source.Auth // credentials for the Source
	cliURL   string      // what a git CLI user clones
	cliEnv   []string    // environment for that user
}

const testToken = "s3cr3t-token-value"

func httpRemote(t *testing.T) remote {
	srv := gittest.NewHTTPServer(t, testToken)
	repo := gittest.NewBareRepo(t, srv.Root, "specs.git")
	return remote{
		name: "http", repoPath: repo,
		url:    srv.RepoURL("specs.git"),
		auth:   source.Auth{Token: testToken},
		cliURL: srv.RepoURLWithAuth("specs.git", "user", testToken),
	}
}

func fileRemote(t *testing.T) remote {
	repo := gittest.NewBareRepo(t, t.TempDir(), "specs.git")
	return remote{name: "file", repoPath: repo, url: "file://" + repo, cliURL: repo}
}

func sshRemote(t *testing.T) remote {
	srv := gittest.NewSSHServer(t)
	repo := gittest.NewBareRepo(t, srv.Root, "specs.git")
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, srv.KnownHosts, 0o600); err != nil {
		t.Fatal(err)
	}
	return remote{
		name: "ssh", repoPath: repo, url: srv.RepoURL("specs.git"),
		auth:   source.Auth{SSHKey: srv.ClientKeyPEM, KnownHostsFile: kh},
		cliURL: srv.RepoURL("specs.git"), cliEnv: srv.CLIEnv(t),
	}
}

func allRemotes() []func(*testing.T) remote {
	return []func(*testing.T) remote{httpRemote, fileRemote, sshRemote}
}

func newSource(t *testing.T, r remote, mod func(*source.Options)) *source.Source {
	t.Helper()
	o := source.Options{URL: r.url, Auth: r.auth, CacheDir: t.TempDir()}
	if mod != nil {
		mod(&o)
	}
	s, err := source.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// seed pushes files as a user and returns the new head.
func seed(t *testing.T, r remote, files map[string]string, msg string) string {
	t.Helper()
	u := gittest.Clone(t, r.cliURL, r.cliEnv...)
	u.Write(t, files)
	return u.CommitAndPush(t, msg, 5)
}
