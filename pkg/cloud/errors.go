package cloud

import (
	"errors"
	"fmt"
	"time"
)

// NotFoundError says the resource does not exist (any more).
type NotFoundError struct {
	Resource string
	ID       string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.Resource, e.ID) }

// TransientError is worth retrying: 409 transient_state, 429, 5xx, connection errors.
type TransientError struct {
	Reason string // transient_state|rate_limited|server_error|network
	Err    error
	// RetryAfter is the pause the server asked for (its Retry-After), 0 when it named none.
	RetryAfter time.Duration
	// Status is the HTTP status of the answer (0: no answer, Reason network).
	Status int
}

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// TerminalError will not go away by retrying: invalid arguments, quota, permission, out of stock,
// locked. Message is the API's own message.
type TerminalError struct {
	Reason string // invalid_arguments|quotas_exceeded|permissions_denied|out_of_stock|locked|denied_authentication|precondition_failed
	Err    error
}

func (e *TerminalError) Error() string { return e.Err.Error() }
func (e *TerminalError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is or wraps a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// IsTransient reports whether err is or wraps a *TransientError.
func IsTransient(err error) bool {
	var te *TransientError
	return errors.As(err, &te)
}

// IsTerminal reports whether err is or wraps a *TerminalError.
func IsTerminal(err error) bool {
	var te *TerminalError
	return errors.As(err, &te)
}

// RetryAfter is the pause the server asked for with err (a *TransientError's RetryAfter), 0 for none.
func RetryAfter(err error) time.Duration {
	var te *TransientError
	if errors.As(err, &te) {
		return te.RetryAfter
	}
	return 0
}
