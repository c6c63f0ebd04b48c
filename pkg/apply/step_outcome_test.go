package apply

import (
	"errors"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// Only an answer that never came (or a gateway that stopped waiting) leaves a create's outcome
// unknown; an API refusal (429, 409, 500, 503) means nothing was done and the create is resent.
func TestOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&cloud.TransientError{Reason: "network", Err: errors.New("i/o timeout")}, true},
		{&cloud.TransientError{Reason: "server_error", Status: 504, Err: errors.New("504")}, true},
		{&cloud.TransientError{Reason: "server_error", Status: 503, Err: errors.New("503")}, false},
		{&cloud.TransientError{Reason: "server_error", Status: 500, Err: errors.New("500")}, false},
		{&cloud.TransientError{Reason: "rate_limited", Status: 429, Err: errors.New("429")}, false},
		{&cloud.TransientError{Reason: "transient_state", Status: 409, Err: errors.New("409")}, false},
		{&cloud.TerminalError{Reason: "invalid_arguments", Err: errors.New("400")}, false},
	} {
		if got := outcomeUnknown(tc.err); got != tc.want {
			t.Errorf("outcomeUnknown(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
