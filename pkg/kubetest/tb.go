package kubetest

import "flag"

// TB is the part of TB this package uses: *testing.T and *testing.B satisfy it, and so
// can a non-test caller (the demo) without linking the testing package into a binary.
type TB interface {
	Cleanup(func())
	Error(args ...any)
	Errorf(format string, args ...any)
	Failed() bool
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Helper()
	Logf(format string, args ...any)
	Skip(args ...any)
	Skipf(format string, args ...any)
	TempDir() string
}

// short reports go test's -short flag (testing.Short, read through the flag it registers: this
// package does not import testing; outside a test binary there is no such flag).
func short() bool {
	f := flag.Lookup("test.short")
	return f != nil && f.Value.String() == "true"
}
