package webhook

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

// The default Limits of a Handler.
const (
	// DefaultMaxBody caps a webhook body: GitHub and Gitea push and pull_request payloads are far
	// below 1 MiB.
	DefaultMaxBody = 1 << 20
	// DefaultReadTimeout is the time a sender has to deliver the whole body.
	DefaultReadTimeout = 10 * time.Second
	// DefaultMaxConcurrent is the number of webhook requests read and handled at once.
	DefaultMaxConcurrent = 8
)

// Limits bound what unauthenticated webhook requests can cost before their signature is
// checked: at most MaxConcurrent bodies of at most MaxBody bytes are held at once, each for at
// most ReadTimeout.
type Limits struct {
	MaxBody       int64         // bytes; a larger body is refused with 413
	ReadTimeout   time.Duration // to read the whole body; a slower one is cut with 408
	MaxConcurrent int           // requests in flight; more are refused at once with 503 and Retry-After
}

// SetLimits replaces the handler's limits; a zero field keeps its default. Set them before
// serving.
func (h *Handler) SetLimits(l Limits) {
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultMaxBody
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = DefaultReadTimeout
	}
	if l.MaxConcurrent <= 0 {
		l.MaxConcurrent = DefaultMaxConcurrent
	}
	h.limits, h.slots = l, make(chan struct{}, l.MaxConcurrent)
}

// admit starts r's body deadline, refuses what the headers alone condemn (a declared body over
// the cap, no signature), then takes one of the handler's slots without waiting. When it returns
// false, r was answered; otherwise call release when r is handled.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request) bool {
	// The deadline also bounds what the server reads of a refused body before it closes the
	// connection. Without a connection to set it on (http.ErrNotSupported: a ResponseWriter that
	// does not unwrap to the server's), the server's own ReadTimeout is the bound.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(h.limits.ReadTimeout))
	if r.ContentLength > h.limits.MaxBody {
		h.refuse(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", h.limits.MaxBody))
		return false
	}
	if !signed(r.Header) {
		h.refuse(w, r, http.StatusUnauthorized, errMissingSignature.Error())
		return false
	}
	select {
	case h.slots <- struct{}{}:
		return true
	default:
		// a slot frees within about ReadTimeout
		w.Header().Set("Retry-After", strconv.Itoa(int((h.limits.ReadTimeout+time.Second-1)/time.Second)))
		h.refuse(w, r, http.StatusServiceUnavailable, "too many webhook requests in flight")
		return false
	}
}

func (h *Handler) release() { <-h.slots }

// readBody reads r's body, at most MaxBody bytes before the deadline admit set. When it returns
// false, r was answered.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, h.limits.MaxBody+1))
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		h.refuse(w, r, http.StatusRequestTimeout, fmt.Sprintf("body not received within %s", h.limits.ReadTimeout))
		return nil, false
	case err != nil:
		h.refuse(w, r, http.StatusBadRequest, "body unreadable")
		return nil, false
	case int64(len(body)) > h.limits.MaxBody:
		h.refuse(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", h.limits.MaxBody))
		return nil, false
	}
	return body, true
}

// refuse answers r with code and closes the connection after it: what is left of the body is
// not read as the next request.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, code int, reason string) {
	h.log.WarnContext(r.Context(), "webhook refused", "status", code, "reason", reason, "remote", r.RemoteAddr)
	w.Header().Set("Connection", "close")
	http.Error(w, reason, code)
}
