package source

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// urlUserInfo matches the user info of any URL embedded in free text,
// e.g. "https://user:token@host" or "https://token@host".
var urlUserInfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@`)

// SanitizeURL returns raw without credentials: http(s) URLs lose their user
// info entirely (a lone user name may itself be a token); ssh URLs keep the
// user name (never a secret) and lose any password. Unparseable input is
// reduced by the same rules applied to text.
func SanitizeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.User == nil {
		return redactText(raw)
	}
	switch u.Scheme {
	case "ssh", "git+ssh", "ssh+git":
		u.User = url.User(u.User.Username())
	default:
		u.User = nil
	}
	return u.String()
}

func redactText(s string) string {
	return urlUserInfo.ReplaceAllStringFunc(s, func(m string) string {
		scheme := m[:strings.Index(m, "://")+3]
		if strings.HasPrefix(scheme, "ssh") || strings.HasPrefix(scheme, "git+ssh") {
			user, _, _ := strings.Cut(strings.TrimSuffix(m[len(scheme):], "@"), ":")
			return scheme + user + "@"
		}
		return scheme
	})
}

// minSecretLen keeps very short "secrets" from mangling every message.
const minSecretLen = 4

// SanitizeError returns err with every URL's credentials and every given
// secret (and its URL-escaped form) removed from its text. errors.Is and
// errors.As still see the original chain; the text of the chain is never
// expected to hold credentials because they are stripped before go-git sees
// the URL, so this is a second line of defence. nil stays nil.
func SanitizeError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := redactText(err.Error())
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		msg = strings.ReplaceAll(msg, s, "REDACTED")
		if esc := url.QueryEscape(s); esc != s {
			msg = strings.ReplaceAll(msg, esc, "REDACTED")
		}
		if esc := url.PathEscape(s); esc != s {
			msg = strings.ReplaceAll(msg, esc, "REDACTED")
		}
	}
	if msg == err.Error() {
		return err
	}
	return &sanitizedError{msg: msg, err: err}
}

type sanitizedError struct {
	msg string
	err error
}

func (e *sanitizedError) Error() string { return e.msg }

func (e *sanitizedError) Is(target error) bool { return errors.Is(e.err, target) }

func (e *sanitizedError) As(target any) bool { return errors.As(e.err, target) }
