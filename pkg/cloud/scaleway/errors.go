package scaleway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"

	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// mapError turns an SDK error into the cloud typed errors and strips the secret key from its
// text. A cancellation of the caller's ctx is returned as is: it is not the API's doing.
func mapError(ctx context.Context, err error, secret string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return redact(err, secret)
	}
	var nf *scw.ResourceNotFoundError
	if errors.As(err, &nf) {
		return &cloud.NotFoundError{Resource: nf.Resource, ID: nf.ResourceID}
	}
	var re *scw.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
		return &cloud.NotFoundError{Resource: "resource", ID: ""}
	}
	transient, reason := classify(err)
	switch {
	case reason == "":
		return redact(err, secret)
	case transient:
		te := &cloud.TransientError{Reason: reason, Err: redact(err, secret)}
		var ra *retryAfterError
		if errors.As(err, &ra) {
			te.RetryAfter = ra.after
		}
		if errors.As(err, &re) {
			te.Status = re.StatusCode
		}
		return te
	default:
		return &cloud.TerminalError{Reason: reason, Err: redact(err, secret)}
	}
}

// classify says whether err is worth retrying and why; reason "" means it is not an API or
// network error the mapping knows.
func classify(err error) (transient bool, reason string) {
	if r := typedReason(err); r != "" {
		return r == "transient_state", r
	}
	var re *scw.ResponseError
	if errors.As(err, &re) {
		return statusReason(re.StatusCode)
	}
	if isNetwork(err) {
		return true, "network"
	}
	return false, ""
}

// typedReason maps the SDK's typed errors (built from the body's "type") to our reasons.
func typedReason(err error) string {
	var (
		ts   *scw.TransientStateError
		ia   *scw.InvalidArgumentsError
		qe   *scw.QuotasExceededError
		pd   *scw.PermissionsDeniedError
		oos  *scw.OutOfStockError
		lk   *scw.ResourceLockedError
		da   *scw.DeniedAuthenticationError
		dav  scw.DeniedAuthenticationError
		pf   *scw.PreconditionFailedError
		pfv  scw.PreconditionFailedError
		exp  *scw.ResourceExpiredError
		expv scw.ResourceExpiredError
	)
	switch {
	case errors.As(err, &ts):
		return "transient_state"
	case errors.As(err, &ia):
		return "invalid_arguments"
	case errors.As(err, &qe):
		return "quotas_exceeded"
	case errors.As(err, &pd):
		return "permissions_denied"
	case errors.As(err, &oos):
		return "out_of_stock"
	case errors.As(err, &lk):
		return "locked"
	case errors.As(err, &da), errors.As(err, &dav):
		return "denied_authentication"
	case errors.As(err, &pf), errors.As(err, &pfv):
		return "precondition_failed"
	case errors.As(err, &exp), errors.As(err, &expv):
		return "resource_expired"
	}
	return ""
}

// statusReason classifies an untyped HTTP error by status, as Scaleway's clients do (retry 429
// and 5xx but 501; a 409 without a type is a conflict worth retrying).
func statusReason(code int) (bool, string) {
	switch {
	case code == http.StatusTooManyRequests:
		return true, "rate_limited"
	case code == http.StatusConflict:
		return true, "transient_state"
	case code == http.StatusNotImplemented:
		return false, "server_error"
	case code >= 500:
		return true, "server_error"
	case code == http.StatusUnauthorized:
		return false, "denied_authentication"
	case code == http.StatusForbidden:
		return false, "permissions_denied"
	case code == http.StatusPreconditionFailed:
		return false, "precondition_failed"
	case code == http.StatusLocked:
		return false, "locked"
	default:
		return false, "invalid_arguments"
	}
}

// isNetwork: connection refused or reset, a cut body, or a timeout of the HTTP client.
func isNetwork(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded)
}

// redactedError keeps an error's text with secrets removed, and drops the chain that held them.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

var uuidRE = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// redact returns err unchanged unless its text holds the secret; then it returns the text with
// the secret replaced and no wrapped error.
func redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), secret, "[REDACTED]")}
}

// redactConfigError hides every UUID of a config-file error: the file's secret key is one, and
// a parse error may quote it before we know which value it is.
func redactConfigError(err error) error {
	msg := err.Error()
	if !uuidRE.MatchString(msg) {
		return err
	}
	return &redactedError{msg: uuidRE.ReplaceAllString(msg, "[REDACTED]")}
}

// wrap maps err and adds short context.
func (p *Provider) wrap(ctx context.Context, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, mapError(ctx, err, p.secret))...)
}
