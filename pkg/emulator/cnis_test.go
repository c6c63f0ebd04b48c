package emulator_test

import (
	"slices"
	"testing"
	"time"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// Versions list the CNIs they offer, and a cluster asks for one of them: the 2026-08 recordings
// (Terraform pool-taints-and-labels, CLI test-list-version-basic) list cilium_native for 1.34 and
// later, not for 1.33.10.
func TestCNIsFollowTheVersion(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Date(2026, 8, 18, 9, 38, 0, 0, time.UTC))
	env := emulatortest.Start(t, emulator.Options{Clock: clk})
	api := k8s.NewAPI(env.Client)
	for name, want := range map[string]bool{"1.33.10": false, "1.34.6": true, "1.35.3": true} {
		v, err := api.GetVersion(&k8s.GetVersionRequest{VersionName: name})
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(v.AvailableCnis, k8s.CNICiliumNative); got != want {
			t.Fatalf("%s available_cnis %v: cilium_native %v, want %v", name, v.AvailableCnis, got, want)
		}
	}
	_, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "old", Version: "1.33.10", Cni: k8s.CNICiliumNative})
	if !isInvalid(err, "cni") {
		t.Fatalf("cilium_native on 1.33: %v, want invalid_arguments on cni", err)
	}
	if _, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "new", Version: "1.34.6", Cni: k8s.CNICiliumNative}); err != nil {
		t.Fatalf("cilium_native on 1.34: %v", err)
	}
}
