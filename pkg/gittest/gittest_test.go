package gittest_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// TestHTTPLargeChunkedPush pushes a pack over 1 MiB with the git CLI, which
// sends it chunked: the server must spool it and set CONTENT_LENGTH.
func TestHTTPLargeChunkedPush(t *testing.T) {
	srv := gittest.NewHTTPServer(t, "tok-123456")
	repo := gittest.NewBareRepo(t, srv.Root, "big.git")
	u := gittest.Clone(t, srv.RepoURLWithAuth("big.git", "u", "tok-123456"))
	blob := make([]byte, 3<<20) // incompressible
	if _, err := rand.Read(blob); err != nil {
		t.Fatal(err)
	}
	u.Write(t, map[string]string{"big.txt": hex.EncodeToString(blob)})
	head := u.CommitAndPush(t, "big", 1)
	if got := gittest.Head(t, repo, "main"); got != head {
		t.Errorf("remote head = %s, want %s", got, head)
	}
	gittest.Fsck(t, repo)

	// Without the token the server refuses.
	if _, err := gittest.CloneErr(t.TempDir(), srv.RepoURL("big.git")); err == nil {
		t.Error("clone without token succeeded")
	}
}

func TestSSHCloneAndPush(t *testing.T) {
	srv := gittest.NewSSHServer(t)
	repo := gittest.NewBareRepo(t, srv.Root, "r.git")
	u := gittest.Clone(t, srv.RepoURL("r.git"), srv.CLIEnv(t)...)
	u.Write(t, map[string]string{"a.yaml": "a: 1\n"})
	head := u.CommitAndPush(t, "first", 1)
	log := gittest.Log(t, repo, "main")
	if len(log) != 1 || log[0].Hash != head || log[0].Subject != "first" || len(log[0].Files) != 1 || log[0].Files[0] != "a.yaml" {
		t.Errorf("log = %+v, want one commit %s adding a.yaml", log, head)
	}
	// A path escaping the root is refused.
	if _, err := gittest.CloneErr(t.TempDir(), srv.RepoURL("../../etc"), srv.CLIEnv(t)...); err == nil {
		t.Error("clone outside the root succeeded")
	}
}
