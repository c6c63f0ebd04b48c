// Package emulatortest starts the Scaleway K8s API emulator in-process for tests, over real HTTP,
// with a scaleway-sdk-go client pointed at it.
package emulatortest

import (
	"net/http/httptest"
	"testing"

	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
)

// Fake, format-valid credentials (the emulator accepts any token).
const (
	AccessKey = "SCWXXXXXXXXXXXXXXXXX"
	SecretKey = "11111111-1111-4111-8111-111111111111"
	ProjectID = emulator.DefaultProjectID
)

// Env is a running emulator.
type Env struct {
	URL    string
	Server *emulator.Server
	Client *scw.Client
	// Admin is the in-process admin handle (the same Server).
	Admin emulator.Admin
}

// Start runs an emulator with opts (zero value: real clock, TestDwell) until the test ends.
func Start(t testing.TB, opts emulator.Options) *Env {
	t.Helper()
	s, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &Env{URL: ts.URL, Server: s, Client: NewClient(t, ts.URL), Admin: s}
}

// NewClient returns an SDK client for the emulator at url (fr-par, default project).
func NewClient(t testing.TB, url string, extra ...scw.ClientOption) *scw.Client {
	t.Helper()
	opts := append([]scw.ClientOption{
		scw.WithAPIURL(url), scw.WithAuth(AccessKey, SecretKey), scw.WithDefaultRegion(scw.RegionFrPar),
		scw.WithDefaultProjectID(ProjectID), scw.WithDefaultZone(scw.ZoneFrPar1),
	}, extra...)
	c, err := scw.NewClient(opts...)
	if err != nil {
		t.Fatalf("scw client: %v", err)
	}
	return c
}
