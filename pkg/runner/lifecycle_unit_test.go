package runner

import (
	"errors"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/lifecycle"
)

func TestLifecycleToken(t *testing.T) {
	env := map[string]string{"T": " s3cr3t\n"}
	l := &Lifecycle{Getenv: func(k string) string { return env[k] }, ReadFile: func(p string) ([]byte, error) {
		if p == "/run/token" {
			return []byte("from-file\n"), nil
		}
		return nil, errors.New("no such file")
	}}
	if tok, err := l.token(lifecycle.Config{TokenEnv: "T"}); err != nil || tok != "s3cr3t" {
		t.Errorf("env token = %q, %v", tok, err)
	}
	if tok, err := l.token(lifecycle.Config{TokenEnv: "T", TokenFile: "/run/token"}); err != nil || tok != "from-file" {
		t.Errorf("file token = %q, %v", tok, err)
	}
	_, err := l.token(lifecycle.Config{TokenEnv: "MISSING"})
	if err == nil || !strings.Contains(err.Error(), "set MISSING") {
		t.Errorf("missing token: %v", err)
	}
	if _, err := l.token(lifecycle.Config{TokenFile: "/nope"}); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("unreadable token file: %v", err)
	}
}

func TestSameBodyIgnoresThePlanTime(t *testing.T) {
	a := "why\n\nRevision `abc` · planned at 2026-12-03T09:00:00Z\n\n| x |"
	b := "why\n\nRevision `abc` · planned at 2026-12-03T09:10:00Z\n\n| x |"
	if !sameBody(a, b) {
		t.Error("bodies differing only in the plan time differ")
	}
	if sameBody(a, strings.Replace(b, "| x |", "| y |", 1)) {
		t.Error("bodies with different plans are the same")
	}
}
