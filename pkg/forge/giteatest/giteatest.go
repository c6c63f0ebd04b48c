package giteatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Version is the Gitea release hack/gitea/build.sh builds by default.
const Version = "v1.26.0"

// Dir is where the binary is cached: $GITEA_DIR, else the build script's default.
func Dir() string {
	if d := os.Getenv("GITEA_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "reconciler", "gitea", Version+"-"+runtime.Version())
}

// Binary returns the gitea binary and its static root (templates, options),
// or ok=false when they have not been built (make gitea).
func Binary() (bin, staticRoot string, ok bool) {
	d := Dir()
	bin = filepath.Join(d, "gitea")
	b, err := os.ReadFile(filepath.Join(d, "static-root"))
	if err != nil {
		return "", "", false
	}
	staticRoot = strings.TrimSpace(string(b))
	if st, err := os.Stat(bin); err != nil || st.Mode()&0o111 == 0 {
		return "", "", false
	}
	if _, err := os.Stat(filepath.Join(staticRoot, "templates")); err != nil {
		return "", "", false
	}
	return bin, staticRoot, true
}

// Server is a running Gitea.
type Server struct {
	URL   string // http://127.0.0.1:port, no trailing slash
	Admin string // the admin user's login
	Token string // an access token of Admin with every scope
	Dir   string // state: app.ini, data, repositories, log

	bin, ini string
	env      []string
}

// Start starts Gitea in a temporary directory and stops it when the test ends.
// It skips the test when the binary is absent.
func Start(t TB) *Server {
	t.Helper()
	bin, static, ok := Binary()
	if !ok {
		t.Skipf("gitea is not built in %s: run `make gitea` (hack/gitea/build.sh)", Dir())
	}
	dir, err := os.MkdirTemp("", "giteatest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	port, err := choosePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Admin: "ops", Dir: dir, bin: bin,
		ini: filepath.Join(dir, "app.ini")}
	runUser := "git"
	if u, err := user.Current(); err == nil {
		runUser = u.Username
	}
	s.env = append(os.Environ(), "HOME="+dir, "GITEA_WORK_DIR="+dir, "GITEA_CUSTOM="+filepath.Join(dir, "custom"), "USER="+runUser)
	if os.Geteuid() == 0 {
		s.env = append(s.env, "GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true")
	}
	if err := os.WriteFile(s.ini, []byte(appIni(dir, static, runUser, port)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"migrate"},
		{"admin", "user", "create", "--admin", "--username", s.Admin, "--password", "Passw0rd-" + randHex(8),
			"--email", s.Admin + "@example.test", "--must-change-password=false"},
	} {
		if _, err := s.run(args...); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.run("admin", "user", "generate-access-token", "--username", s.Admin, "--token-name", "tests", "--scopes", "all", "--raw")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	s.Token = strings.TrimSpace(lines[len(lines)-1])

	// The port was free when chosen; another process may bind it before
	// Gitea does. Then Gitea starts again on a fresh port (up to 3 times).
	for attempt := 1; ; attempt++ {
		err := s.startWeb(t)
		if err == nil {
			break
		}
		b, _ := os.ReadFile(filepath.Join(dir, "web.log"))
		if attempt == 3 || !strings.Contains(string(b), "address already in use") {
			t.Fatalf("gitea did not start: %v\n%s", err, tail(string(b), 3000))
		}
		t.Logf("giteatest: port %s was taken (attempt %d), starting on a fresh one", s.URL, attempt)
		if port, err = choosePort(); err != nil {
			t.Fatal(err)
		}
		s.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
		if err := os.WriteFile(s.ini, []byte(appIni(dir, static, runUser, port)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// startWeb runs `gitea web` until the test ends and waits until it answers;
// on an error the process has exited.
func (s *Server) startWeb(t TB) error {
	logf, err := os.Create(filepath.Join(s.Dir, "web.log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, "--config", s.ini, "web")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = s.Dir, s.env, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	stop := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	if err := s.waitReady(done, 90*time.Second); err != nil {
		stop()
		return err
	}
	t.Cleanup(stop)
	return nil
}

func appIni(dir, static, runUser string, port int) string {
	return fmt.Sprintf(`APP_NAME = reconciler tests
RUN_USER = %[3]s
RUN_MODE = prod
WORK_PATH = %[1]s

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = %[4]d
DOMAIN = 127.0.0.1
ROOT_URL = http://127.0.0.1:%[4]d/
OFFLINE_MODE = true
DISABLE_SSH = true
START_SSH_SERVER = false
STATIC_ROOT_PATH = %[2]s
APP_DATA_PATH = %[1]s/data
LFS_START_SERVER = false

[database]
DB_TYPE = sqlite3
PATH = %[1]s/data/gitea.db

[repository]
ROOT = %[1]s/repos

[security]
INSTALL_LOCK = true
SECRET_KEY = %[5]s
INTERNAL_TOKEN = %[6]s

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false

[webhook]
ALLOWED_HOST_LIST = loopback
DELIVER_TIMEOUT = 10

[actions]
ENABLED = false

[packages]
ENABLED = false

[mailer]
ENABLED = false

[cron.update_checker]
ENABLED = false

[indexer]
REPO_INDEXER_ENABLED = false

[log]
MODE = console
LEVEL = Warn
ROOT_PATH = %[1]s/log
`, dir, static, runUser, port, randHex(32), randHex(48))
}

// run runs one gitea CLI command against the server's config.
func (s *Server) run(args ...string) (string, error) {
	cmd := exec.Command(s.bin, append([]string{"--config", s.ini}, args...)...)
	cmd.Dir, cmd.Env = s.Dir, s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("gitea %s: %w\n%s", args[0], err, tail(string(out), 2000))
	}
	return string(out), nil
}

// readyClient bounds each probe: a port held by another process may accept
// and never answer.
var readyClient = &http.Client{Timeout: 2 * time.Second}

func (s *Server) waitReady(exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("gitea web exited")
		default:
		}
		// Gitea stays up when it cannot listen; its log says so.
		if b, _ := os.ReadFile(filepath.Join(s.Dir, "web.log")); bytes.Contains(b, []byte("Failed to start server")) {
			return fmt.Errorf("gitea web could not listen on %s", s.URL)
		}
		resp, err := readyClient.Get(s.URL + "/api/v1/version")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s/api/v1/version after %s", s.URL, timeout)
}

// API calls Gitea's API as the admin (path under /api/v1), encoding in and
// decoding into out when non-nil; a non-2xx answer fails the test.
func (s *Server) API(t TB, method, path string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+"/api/v1"+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+s.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s: %s", method, path, resp.Status, tail(string(raw), 500))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
}

// CreateRepo creates an empty repository of the admin and returns its clone
// URL (http, without credentials).
func (s *Server) CreateRepo(t TB, name string) string {
	t.Helper()
	var r struct {
		CloneURL string `json:"clone_url"`
	}
	s.API(t, "POST", "/user/repos", map[string]any{"name": name, "default_branch": "main", "private": false}, &r)
	return r.CloneURL
}

// AuthURL is a clone URL with the admin's token as basic-auth password (for the git CLI).
func (s *Server) AuthURL(cloneURL string) string {
	return strings.Replace(cloneURL, "://", "://"+s.Admin+":"+s.Token+"@", 1)
}

// CreatePull opens a pull request of head into base and returns its number.
func (s *Server) CreatePull(t TB, repo, head, base, title string) int {
	t.Helper()
	var pr struct {
		Number int `json:"number"`
	}
	s.WaitBranch(t, repo, head)
	s.API(t, "POST", "/repos/"+s.Admin+"/"+repo+"/pulls", map[string]string{"head": head, "base": base, "title": title}, &pr)
	return pr.Number
}

// WaitBranch waits until Gitea has registered a pushed branch (its push hook
// updates the branch table after the push returns).
func (s *Server) WaitBranch(t TB, repo, branch string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/repos/%s/%s/branches/%s", s.URL, s.Admin, repo, branch), nil)
		req.Header.Set("Authorization", "token "+s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(s.Dir, "web.log"))
			t.Fatalf("branch %s of %s never appeared in Gitea (last: %v)\n%s", branch, repo, err, tail(string(b), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Comment is an issue comment as Gitea returns it.
type Comment struct {
	ID        int64     `json:"id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	User      struct {
		Login string `json:"login"`
	} `json:"user"`
}

// Comments lists the comments of issue or pull request n.
func (s *Server) Comments(t TB, repo string, n int) []Comment {
	t.Helper()
	var cs []Comment
	s.API(t, "GET", fmt.Sprintf("/repos/%s/%s/issues/%d/comments", s.Admin, repo, n), nil, &cs)
	return cs
}

// Status is a commit status as Gitea returns it (note: `status`, not GitHub's `state`).
type Status struct {
	State       string `json:"status"`
	Context     string `json:"context"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
}

// Statuses lists the commit statuses of sha, newest first.
func (s *Server) Statuses(t TB, repo, sha string) []Status {
	t.Helper()
	var st []Status
	s.API(t, "GET", fmt.Sprintf("/repos/%s/%s/commits/%s/statuses", s.Admin, repo, sha), nil, &st)
	return st
}

// choosePort is freePort; a test makes it hand out a taken port.
var choosePort = freePort

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
