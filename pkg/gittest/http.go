package gittest

import (
	"crypto/subtle"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"testing"
)

// HTTPServer serves every repository under Root over git's smart HTTP
// protocol with pushes enabled, using the installed `git http-backend`.
type HTTPServer struct {
	Root string
	// URL is the server's base URL, e.g. http://127.0.0.1:PORT.
	URL string
	// Token, when set, is required as the basic-auth password (any user name).
	Token string
	srv   *httptest.Server
	git   string
}

// NewHTTPServer starts a smart HTTP server for the repositories under a new
// temporary root. With a non-empty token, requests need basic auth with the
// token as password.
func NewHTTPServer(t testing.TB, token string) *HTTPServer {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skipf("git not installed: %v", err)
	}
	s := &HTTPServer{Root: t.TempDir(), Token: token, git: gitBin}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// RepoURL is the clone URL of ROOT/name, without credentials.
func (s *HTTPServer) RepoURL(name string) string { return s.URL + "/" + name }

// RepoURLWithAuth is the clone URL of ROOT/name carrying user:password.
func (s *HTTPServer) RepoURLWithAuth(name, user, password string) string {
	u, _ := url.Parse(s.RepoURL(name))
	u.User = url.UserPassword(user, password)
	return u.String()
}

// ServeHTTP checks auth, spools the request body and hands it to a fresh
// cgi.Handler running git http-backend.
func (s *HTTPServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	env := []string{
		"GIT_PROJECT_ROOT=" + s.Root,
		"GIT_HTTP_EXPORT_ALL=1",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=http.receivepack",
		"GIT_CONFIG_VALUE_0=true",
	}
	if s.Token != "" {
		user, pass, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(pass), []byte(s.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		env = append(env, "REMOTE_USER="+user)
	}
	// The git CLI sends packs over 1 MiB chunked; net/http/cgi then passes no
	// CONTENT_LENGTH and http-backend reads nothing. Spool and measure.
	if r.Body != nil && r.ContentLength < 0 {
		f, err := os.CreateTemp("", "gittest-body-*")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer os.Remove(f.Name())
		defer f.Close()
		n, err := io.Copy(f, r.Body)
		if err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		r.Body, r.ContentLength = f, n
		r.TransferEncoding = nil
	}
	// A fresh handler per request: cgi.Handler must not be mutated concurrently.
	h := &cgi.Handler{Path: s.git, Args: []string{"http-backend"}, Env: env, Stderr: io.Discard}
	h.ServeHTTP(w, r)
}
