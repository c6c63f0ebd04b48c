package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
)

// Every command that takes a repository reads an ssh remote with --ssh-key and --known-hosts,
// over a real ssh git server; without them it says which flag is missing, before any I/O.
func TestSSHRemoteOnEveryRepoCommand(t *testing.T) {
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.3", "web")
	ssh := gittest.NewSSHServer(t)
	gittest.NewBareRepo(t, ssh.Root, "fleet.git")
	u := gittest.Clone(t, ssh.RepoURL("fleet.git"), ssh.CLIEnv(t)...)
	u.Write(t, prodSpec("1.35", "web"))
	u.CommitAndPush(t, "prod", 1)
	gittest.Run(t, u.Dir, "checkout", "--quiet", "-B", "more")
	u.Write(t, prodSpec("1.35", "web", "extra"))
	gittest.Run(t, u.Dir, "commit", "--quiet", "-am", "more")
	if _, err := gittest.RunErr(u.Dir, u.Env, "push", "--quiet", "origin", "HEAD:refs/heads/more"); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	key, kh := filepath.Join(dir, "id_ed25519"), filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(key, ssh.ClientKeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kh, ssh.KnownHosts, 0o600); err != nil {
		t.Fatal(err)
	}
	url := ssh.RepoURL("fleet.git")
	sshFlags := []string{"--ssh-key", key, "--known-hosts", kh}
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"plan", []string{"plan", "--repo", url, "--ref", "main"}, 0, "Plan for revision"},
		{"plan of a branch", []string{"plan", "--repo", url, "--ref", "more", "--detailed-exitcode"}, 2, "create-pool"},
		{"rotate dry run", []string{"rotate", "--repo", url, "--dry-run"}, 0, "Rotation dry run"},
		{"preview", []string{"preview", "--repo", url, "--base", "main", "--head", "more", "-o", "text"}, 0, "extra"},
		{"apply (status pushed over ssh)", []string{"apply", "--repo", url, "--ref", "main", "--auto-approve"}, 0, "Apply complete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, "", args(append(tc.args, sshFlags...)...)...)
			if code != tc.code || !strings.Contains(out, tc.out) || tc.args[0] == "apply" && !strings.Contains(errOut, "status: committed") {
				t.Errorf("exit %d (want %d), stdout misses %q:\n%s\n%s", code, tc.code, tc.out, out, errOut)
			}
			code, _, errOut = cli(t, "", args(tc.args...)...)
			if code != 1 || !strings.Contains(errOut, "--ssh-key") || strings.Contains(errOut, "SSHKeyFile") {
				t.Errorf("without --ssh-key: exit %d, %q", code, errOut)
			}
			code, _, errOut = cli(t, "", args(append(tc.args, "--ssh-key", key)...)...)
			if code != 1 || !strings.Contains(errOut, "--known-hosts") || strings.Contains(errOut, "KnownHostsFile") {
				t.Errorf("without --known-hosts: exit %d, %q", code, errOut)
			}
		})
	}
	for _, a := range [][]string{{"run", "--repo", url}, {"run", "--repo", url, "--ssh-key", key}} {
		code, _, errOut := cli(t, "", a...)
		if code != 1 || !strings.Contains(errOut, "needs --") {
			t.Errorf("%v: exit %d, %q", a, code, errOut)
		}
	}
}
