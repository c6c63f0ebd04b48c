package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// Without the cached control plane the rotation chapter builds nothing: it says how to enable it.
func TestRotationChapterSkippedWithoutControlPlane(t *testing.T) {
	t.Setenv("K8S_TESTBIN_DIR", t.TempDir()) // no binaries there
	var out bytes.Buffer
	d := &demo{o: Options{Dir: t.TempDir()}, out: &out, start: time.Now(), clock: &shiftedClock{}}
	if err := d.rotation(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "rotation chapter skipped: run `make k8s-testbin` to enable it") {
		t.Errorf("output:\n%s", out.String())
	}
}
