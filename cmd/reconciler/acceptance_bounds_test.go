//go:build linux

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
)

// The bounds tests run the real binary on repositories an attacker controls (a pull request
// checked out in CI) and measure the child process: exit code, output, peak RSS (rusage) and wall
// time. Nothing the repository points at outside itself may be read, echoed, or allowed to hang
// the command or exhaust its memory.

// boundsSecret is the content of a credentials file outside the repository.
const boundsSecret = "SECRET-k3y-material-5f0c2a9e"

// maxChildRSS is the peak resident memory a refused repository may cost the command.
const maxChildRSS = 100 << 20

// built is the reconciler binary and testdata/maxrss, which runs it and reports its peak RSS.
type built struct{ bin, maxrss string }

// buildReconciler builds both into a temporary directory.
func buildReconciler(t *testing.T) built {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	b := built{bin: filepath.Join(dir, "reconciler"), maxrss: filepath.Join(dir, "maxrss")}
	for out, pkg := range map[string]string{b.bin: ".", b.maxrss: "./testdata/maxrss"} {
		if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
		}
	}
	return b
}

// childRun is one finished run of the binary.
type childRun struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
	wall           time.Duration
}

// run runs the binary with args and the process environment, through maxrss, killing it after
// 10 s (a hang is a failure, reported as such, never a stuck test).
func (b built) run(t *testing.T, args ...string) childRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rssFile := filepath.Join(t.TempDir(), "maxrss")
	var out, errb strings.Builder
	cmd := exec.CommandContext(ctx, b.maxrss, append([]string{rssFile, b.bin}, args...)...)
	cmd.Env, cmd.Stdout, cmd.Stderr, cmd.WaitDelay = os.Environ(), &out, &errb, time.Second
	start := time.Now()
	err := cmd.Run()
	r := childRun{stdout: out.String(), stderr: errb.String(), wall: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("%v: still running after 10 s (killed)\nstderr: %.2000s", args, r.stderr)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%v: %v", args, err)
	}
	if r.code = cmd.ProcessState.ExitCode(); r.code == 125 {
		t.Fatalf("%v: maxrss failed: %s", args, r.stderr)
	}
	rss, err := os.ReadFile(rssFile)
	if err != nil {
		t.Fatal(err)
	}
	if r.maxRSS, err = strconv.ParseInt(string(rss), 10, 64); err != nil {
		t.Fatal(err)
	}
	return r
}

// writeSecret writes a credentials-looking file outside any repository and returns its path.
func writeSecret(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "id_rsa")
	content := "-----BEGIN OPENSSH PRIVATE KEY-----\n" + boundsSecret + "\n-----END OPENSSH PRIVATE KEY-----\n"
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// flowFile writes a cluster file of about size bytes whose one flow sequence parses into a node
// per two bytes: the costliest YAML per byte.
func flowFile(t *testing.T, p string, size int) {
	t.Helper()
	head := header + "metadata: {name: n" + filepath.Base(p) + "}\nspec: {tags: ["
	body := strings.Repeat("0,", (size-len(head))/2-2) + "0]}\n"
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(head+body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sparseFile creates a file of size bytes that takes no disk space (it reads as zeros).
func sparseFile(t *testing.T, p string, size int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// TestAcceptanceHostileLocalRepoIsRefused: `validate` and `plan` on a local directory refuse
// symlinks, special files and oversize input with an error naming the file, quickly, in little
// memory, and never print what a symlink points at.
func TestAcceptanceHostileLocalRepoIsRefused(t *testing.T) {
	b := buildReconciler(t)
	startEmulator(t) // plan builds its provider; no request is made for a refused repository
	secret := writeSecret(t)
	valid := prodSpec("1.35", "web")["clusters/prod-par.yaml"]
	cases := []struct {
		name  string
		setup func(t *testing.T) string // returns the repository
		want  string                    // in stderr
	}{
		{"symlink to a secret", func(t *testing.T) string {
			dir := t.TempDir()
			symlink(t, secret, filepath.Join(dir, "clusters/x.yaml"))
			return dir
		}, "clusters/x.yaml: symlinks are not followed"},
		{"symlinked clusters directory", func(t *testing.T) string {
			dir := t.TempDir()
			symlink(t, filepath.Dir(secret), filepath.Join(dir, "clusters"))
			return dir
		}, "clusters: symlinks are not followed"},
		{"reconciler.yaml symlink to a secret", func(t *testing.T) string {
			dir := writeRepo(t, map[string]string{"clusters/prod-par.yaml": valid})
			symlink(t, secret, filepath.Join(dir, "reconciler.yaml"))
			return dir
		}, "reconciler.yaml: symlinks are not followed"},
		{"symlink to /dev/zero", func(t *testing.T) string {
			dir := t.TempDir()
			symlink(t, "/dev/zero", filepath.Join(dir, "clusters/x.yaml"))
			return dir
		}, "clusters/x.yaml: symlinks are not followed"},
		{"fifo", func(t *testing.T) string {
			dir := writeRepo(t, map[string]string{"clusters/prod-par.yaml": valid})
			if err := syscall.Mkfifo(filepath.Join(dir, "clusters/x.yaml"), 0o644); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "clusters/x.yaml: not a regular file: named pipe"},
		{"character device", func(t *testing.T) string {
			dir := writeRepo(t, map[string]string{"clusters/prod-par.yaml": valid})
			// /dev/zero's numbers; needs CAP_MKNOD (the symlink case above covers it otherwise)
			if err := syscall.Mknod(filepath.Join(dir, "clusters/x.yaml"), syscall.S_IFCHR|0o644, 1<<8|5); err != nil {
				t.Skipf("mknod: %v", err)
			}
			return dir
		}, "clusters/x.yaml: not a regular file: device"},
		{"oversize reconciler.yaml", func(t *testing.T) string {
			dir := writeRepo(t, map[string]string{"clusters/prod-par.yaml": valid})
			sparseFile(t, filepath.Join(dir, "reconciler.yaml"), 300<<20)
			return dir
		}, "reconciler.yaml: file too large: over the 1 MiB limit"},
		{"spec files past the total cap", func(t *testing.T) string {
			dir := t.TempDir()
			for i := range 17 { // 17 files just under the 4 MiB per-file cap: 68 MiB
				flowFile(t, filepath.Join(dir, "clusters", fmt.Sprintf("f%02d.yaml", i)), 4<<20-64)
			}
			return dir
		}, "clusters/: spec files too large in total: over the 64 MiB limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.setup(t)
			for _, command := range []string{"validate", "plan"} {
				r := b.run(t, command, "--repo", dir)
				t.Logf("%s: exit %d in %s, peak RSS %.1f MiB", command, r.code, r.wall.Round(time.Millisecond), float64(r.maxRSS)/(1<<20))
				if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
					t.Errorf("%s: exit %d, want 1 and %q in stderr:\n%.3000s", command, r.code, tc.want, r.stderr)
				}
				if strings.Contains(r.stdout+r.stderr, boundsSecret) {
					t.Errorf("%s: the secret's content is in the output", command)
				}
				if r.maxRSS > maxChildRSS {
					t.Errorf("%s: peak RSS %d MiB, want at most %d MiB", command, r.maxRSS>>20, maxChildRSS>>20)
				}
			}
		})
	}
}

// TestAcceptanceOversizeStatusIsIgnored: a huge status file (or a symlink in status/) does not
// stop `plan`, costs no memory, and is not read: it counts as absent, and a status file only
// ever adds caution to the deletion rule.
func TestAcceptanceOversizeStatusIsIgnored(t *testing.T) {
	b := buildReconciler(t)
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	dir := writeRepo(t, prodSpec("1.35", "web"))
	sparseFile(t, filepath.Join(dir, "status/prod-par.yaml"), 300<<20)
	symlink(t, writeSecret(t), filepath.Join(dir, "status/other.yaml"))

	r := b.run(t, "plan", "--repo", dir, "--detailed-exitcode")
	t.Logf("plan: exit %d in %s, peak RSS %.1f MiB", r.code, r.wall.Round(time.Millisecond), float64(r.maxRSS)/(1<<20))
	if r.code != 0 {
		t.Errorf("plan: exit %d, want 0 (nothing to do)\nstdout: %s\nstderr: %.3000s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, boundsSecret) {
		t.Error("the secret's content is in the output")
	}
	if r.maxRSS > maxChildRSS {
		t.Errorf("peak RSS %d MiB, want at most %d MiB", r.maxRSS>>20, maxChildRSS>>20)
	}
}

// TestAcceptancePreviewOfHostileHead: a pull request whose head commits a symlink to a
// credentials file, a symlink to /etc/passwd and an 8 MiB reconciler.yaml of the costliest YAML
// previews as a head that does not load, each problem named, in little memory, with no content.
func TestAcceptancePreviewOfHostileHead(t *testing.T) {
	b := buildReconciler(t)
	srv := startEmulator(t)
	seedProd(t, srv, "1.35.9", "web")
	secret := writeSecret(t)
	dir := localPullRequest(t, prodSpec("1.35", "web"), "evil").Dir
	symlink(t, secret, filepath.Join(dir, "clusters/key.yaml"))
	symlink(t, "/etc/passwd", filepath.Join(dir, "clusters/passwd.yaml"))
	flowFile(t, filepath.Join(dir, "reconciler.yaml"), 8<<20)
	gittest.Run(t, dir, "add", "-A")
	gittest.Run(t, dir, "commit", "--quiet", "-m", "evil")

	r := b.run(t, pargs("preview", "--repo", dir, "--base", "main", "--head", "evil", "-o", "json")...)
	t.Logf("preview: exit %d in %s, peak RSS %.1f MiB", r.code, r.wall.Round(time.Millisecond), float64(r.maxRSS)/(1<<20))
	var pv preview.Preview
	if err := json.Unmarshal([]byte(r.stdout), &pv); err != nil {
		t.Fatalf("exit %d, preview JSON: %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	const hint = " (hint: replace the link with the file itself)"
	want := []string{
		"clusters/key.yaml: symlinks are not followed" + hint,
		"clusters/passwd.yaml: symlinks are not followed" + hint,
		"reconciler.yaml: file too large: over the 1 MiB limit",
	}
	if diff := cmp.Diff(want, pv.Errors); r.code != 1 || diff != "" {
		t.Errorf("exit %d, want 1; head errors (-want +got):\n%s", r.code, diff)
	}
	for _, leak := range []string{boundsSecret, secret, "/etc/passwd", "root:"} {
		if strings.Contains(r.stdout+r.stderr, leak) {
			t.Errorf("the output holds %q", leak)
		}
	}
	if r.maxRSS > maxChildRSS {
		t.Errorf("peak RSS %d MiB, want at most %d MiB", r.maxRSS>>20, maxChildRSS>>20)
	}
}
