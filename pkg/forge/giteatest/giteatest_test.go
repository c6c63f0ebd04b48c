package giteatest

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// A port taken between choosing and binding makes Gitea start again on a
// fresh port instead of failing the test.
func TestStartRetriesWhenThePortIsTaken(t *testing.T) {
	if _, _, ok := Binary(); !ok {
		t.Skip("gitea is not built (make gitea)")
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	calls := 0
	choosePort = func() (int, error) {
		calls++
		if calls == 1 {
			return port, nil
		}
		return freePort()
	}
	defer func() { choosePort = freePort }()

	s := Start(t)
	if calls != 2 {
		t.Errorf("ports chosen %d times, want 2", calls)
	}
	if strings.HasSuffix(s.URL, ":"+strconv.Itoa(port)) {
		t.Errorf("URL %s is on the taken port", s.URL)
	}
	var v struct{ Version string }
	s.API(t, "GET", "/version", nil, &v)
	if v.Version == "" {
		t.Error("no version from the restarted Gitea")
	}
}
