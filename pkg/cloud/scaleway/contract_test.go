package scaleway_test

import (
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/cloudtest"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// TestContractOverEmulator runs the provider contract shared with cloudfake against the real
// adapter talking HTTP to the emulator, so the fake cannot silently diverge from the API.
func TestContractOverEmulator(t *testing.T) {
	cloudtest.Run(t, func(t *testing.T) cloudtest.Env {
		// A fake clock with the demo's dwell times: statuses move only when the check settles
		// them, so transient states (and the 409s they cause) are observable.
		clk := clocktesting.NewFakeClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
		e := emulatortest.Start(t, emulator.Options{Clock: clk, Dwell: emulator.DemoDwell, Logf: t.Logf})
		p, err := scaleway.New(scaleway.WithClient(e.Client), scaleway.WithSecret(emulatortest.SecretKey))
		if err != nil {
			t.Fatal(err)
		}
		return cloudtest.Env{
			Provider: p, Ref: cloud.Ref{Region: "fr-par", ProjectID: emulatortest.ProjectID},
			OtherProject: "22222222-2222-4222-8222-222222222222", Poll: 2 * time.Millisecond,
			Settle: func() { clk.Step(time.Minute) }, SettleOnly: true,
		}
	})
}
