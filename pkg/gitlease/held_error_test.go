package gitlease

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// apply's refusal read "lease held held by ...": the error says "held" once, and still wraps ErrHeld.
func TestHeldErrorSaysHeldOnce(t *testing.T) {
	err := error(&HeldError{Ref: Ref("main"), Record: Record{Holder: "loop-7", Expires: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}})
	msg := err.Error()
	if strings.Count(msg, "held") != 1 || !strings.Contains(msg, `held by "loop-7" until 2026-12-03T10:00:00Z`) || !strings.Contains(msg, "refs/reconciler/lease/main") {
		t.Fatalf("HeldError = %q", msg)
	}
	if !errors.Is(err, ErrHeld) {
		t.Fatal("HeldError does not wrap ErrHeld")
	}
}
