package demo

import (
	"fmt"
	"os"
	"sync"

	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

// demoTB lets the demo reuse pkg/kubetest and giteatest (written for tests) to run a real
// control plane and forge: it implements kubetest.TB (without the testing package, which the
// binary does not link): its Fatal* stop the chapter (runTB recovers), Cleanup runs at the
// chapter's end, TempDir is under the demo's directory.
type demoTB struct {
	dir  string
	logf func(string, ...any)

	mu       sync.Mutex
	cleanups []func()
	failed   bool
	n        int
}

// tbAbort is what Fatal* panic with.
type tbAbort struct{ msg string }

func (t *demoTB) Helper()                        {}
func (t *demoTB) Logf(format string, a ...any)   { t.logf(format, a...) }
func (t *demoTB) Error(a ...any)                 { t.fail(); t.logf("%s", fmt.Sprint(a...)) }
func (t *demoTB) Errorf(format string, a ...any) { t.fail(); t.Logf(format, a...) }
func (t *demoTB) Fatal(a ...any)                 { t.fail(); panic(tbAbort{fmt.Sprint(a...)}) }
func (t *demoTB) Fatalf(format string, a ...any) { t.fail(); panic(tbAbort{fmt.Sprintf(format, a...)}) }
func (t *demoTB) Skip(a ...any)                  { panic(tbAbort{"skipped: " + fmt.Sprint(a...)}) }
func (t *demoTB) Skipf(format string, a ...any) {
	panic(tbAbort{"skipped: " + fmt.Sprintf(format, a...)})
}
func (t *demoTB) Cleanup(f func()) { t.mu.Lock(); t.cleanups = append(t.cleanups, f); t.mu.Unlock() }
func (t *demoTB) Failed() bool     { t.mu.Lock(); defer t.mu.Unlock(); return t.failed }
func (t *demoTB) fail()            { t.mu.Lock(); t.failed = true; t.mu.Unlock() }
func (t *demoTB) TempDir() string {
	t.mu.Lock()
	t.n++
	n := t.n
	t.mu.Unlock()
	d, err := os.MkdirTemp(t.dir, fmt.Sprintf("kube-%d-", n))
	if err != nil {
		panic(tbAbort{err.Error()})
	}
	return d
}

// runTB runs f with a demoTB, then its cleanups (last first); a Fatal or a panic is the error.
func runTB(dir string, logf func(string, ...any), f func(t *demoTB)) (err error) {
	t := &demoTB{dir: dir, logf: logf}
	defer func() {
		t.mu.Lock()
		cs := t.cleanups
		t.cleanups = nil
		t.mu.Unlock()
		for i := len(cs) - 1; i >= 0; i-- {
			cs[i]()
		}
	}()
	defer func() {
		switch r := recover().(type) {
		case nil:
		case tbAbort:
			err = fmt.Errorf("%s", r.msg)
		default:
			err = fmt.Errorf("%v", r)
		}
	}()
	f(t)
	return nil
}

var _ kubetest.TB = (*demoTB)(nil)
