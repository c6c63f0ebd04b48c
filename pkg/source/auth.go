package source

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// Auth holds the credentials for the remote. Only the fields for the URL's
// transport are used.
type Auth struct {
	// Username and Password (or a token as Password) for http(s) basic auth.
	// Token is shorthand for a token as password; Username then defaults to
	// "git" (GitHub, GitLab and Gitea accept any user name with a token).
	Username, Password, Token string

	// SSH: a private key (PEM/OpenSSH bytes, or a file), its passphrase and the
	// user (default "git", or the user in the URL).
	SSHKey           []byte
	SSHKeyFile       string
	SSHKeyPassphrase string
	SSHUser          string
	// The server's host key is checked against KnownHostsFile or the pinned
	// HostKey (authorized_keys format, e.g. "ssh-ed25519 AAAA..."). One of
	// the two is required: unknown host keys are never accepted.
	KnownHostsFile string
	HostKey        []byte
}

// endpoint is the remote resolved once: the URL go-git sees (no credentials),
// its sanitized form for messages, the auth method, and the secrets to scrub.
type endpoint struct {
	url     string
	display string
	auth    transport.AuthMethod
	secrets []string
}

func resolveEndpoint(raw string, a Auth) (*endpoint, error) {
	ep := &endpoint{display: SanitizeURL(raw)}
	for _, s := range []string{a.Password, a.Token, a.SSHKeyPassphrase} {
		if s != "" {
			ep.secrets = append(ep.secrets, s)
		}
	}
	switch {
	case strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://"):
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("parse url %q: %w", SanitizeURL(raw), SanitizeError(err, ep.secrets...))
		}
		user, pass := a.Username, a.Password
		if a.Token != "" {
			pass = a.Token
		}
		if u.User != nil {
			up, _ := u.User.Password()
			ep.secrets = append(ep.secrets, u.User.Username(), up)
			if pass == "" && user == "" {
				user, pass = u.User.Username(), up
			}
			u.User = nil
		}
		if pass != "" && user == "" {
			user = "git"
		}
		if user != "" || pass != "" {
			ep.auth = &http.BasicAuth{Username: user, Password: pass}
		}
		ep.url = u.String()
		return ep, nil
	case strings.HasPrefix(raw, "file://"):
		ep.url = raw
		return ep, nil
	case strings.HasPrefix(raw, "ssh://") || isSCPLike(raw):
		auth, err := sshAuth(raw, a)
		if err != nil {
			return nil, err
		}
		ep.auth = auth
		ep.url = SanitizeURL(raw)
		return ep, nil
	case filepath.IsAbs(raw) || strings.HasPrefix(raw, "."):
		abs, err := filepath.Abs(raw)
		if err != nil {
			return nil, fmt.Errorf("resolve path %q: %w", raw, err)
		}
		ep.url = abs
		ep.display = abs
		return ep, nil
	}
	return nil, fmt.Errorf("source: unsupported url %q (want https://, http://, ssh://, user@host:path, file:// or a path)", SanitizeURL(raw))
}

// isSCPLike matches user@host:path (no scheme, no slash before the colon).
func isSCPLike(raw string) bool {
	if strings.Contains(raw, "://") {
		return false
	}
	before, _, ok := strings.Cut(raw, ":")
	return ok && before != "" && !strings.Contains(before, "/")
}

func sshAuth(raw string, a Auth) (transport.AuthMethod, error) {
	user := a.SSHUser
	if user == "" {
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			user = u.User.Username()
		} else if at := strings.Index(raw, "@"); at > 0 && isSCPLike(raw) {
			user = raw[:at]
		}
	}
	if user == "" {
		user = "git"
	}
	key := a.SSHKey
	if len(key) == 0 && a.SSHKeyFile != "" {
		b, err := os.ReadFile(a.SSHKeyFile)
		if err != nil {
			return nil, fmt.Errorf("read ssh key: %w", err)
		}
		key = b
	}
	if len(key) == 0 {
		return nil, errors.New("source: ssh needs a private key (SSHKey or SSHKeyFile)")
	}
	pk, err := gitssh.NewPublicKeys(user, key, a.SSHKeyPassphrase)
	if err != nil {
		return nil, fmt.Errorf("parse ssh key: %w", SanitizeError(err, a.SSHKeyPassphrase))
	}
	cb, algos, err := hostKeyCallback(a, sshHostPort(raw))
	if err != nil {
		return nil, err
	}
	pk.HostKeyCallback = cb
	pk.HostKeyAlgorithms = algos
	return pk, nil
}

// hostKeyCallback never returns a callback that accepts unknown keys. With a
// known_hosts file it also restricts the negotiated host key algorithms to the
// ones recorded for the host, so a server offering several key types is
// checked against the recorded one.
func hostKeyCallback(a Auth, hostPort string) (ssh.HostKeyCallback, []string, error) {
	switch {
	case len(a.HostKey) > 0:
		pub, _, _, _, err := ssh.ParseAuthorizedKey(a.HostKey)
		if err != nil {
			return nil, nil, fmt.Errorf("parse pinned host key: %w", err)
		}
		return ssh.FixedHostKey(pub), []string{pub.Type()}, nil
	case a.KnownHostsFile != "":
		if _, err := os.Stat(a.KnownHostsFile); err != nil {
			return nil, nil, fmt.Errorf("known_hosts: %w", err)
		}
		db, err := gitssh.NewKnownHostsDb(a.KnownHostsFile)
		if err != nil {
			return nil, nil, fmt.Errorf("load known_hosts: %w", err)
		}
		return db.HostKeyCallback(), db.HostKeyAlgorithms(hostPort), nil
	}
	return nil, nil, errors.New("source: ssh needs KnownHostsFile or a pinned HostKey; unknown host keys are never accepted")
}

// sshHostPort returns host:port of an ssh:// or scp-like URL (port 22 by default).
func sshHostPort(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		if u.Port() != "" {
			return u.Host
		}
		return net.JoinHostPort(u.Hostname(), "22")
	}
	host, _, _ := strings.Cut(raw, ":")
	if at := strings.LastIndex(host, "@"); at >= 0 {
		host = host[at+1:]
	}
	return net.JoinHostPort(host, "22")
}
