package emulator_test

import (
	"errors"
	"strings"
	"testing"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// Kubelet arguments a version does not offer are refused one detail per argument, named
// kubelet_args.<arg>, as the real API answered the crossplane provider
// (scaleway/crossplane-provider-scaleway#194: "kubelet_args.node-labels does not respect
// constraint, kubelet argument node-labels is not available for this version; kubelet_args.register-
// with-taints does not respect constraint, ..."), on create and on update.
func TestKubeletArgsRefusedOneDetailPerArgument(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	c := createKapsule(t, api, "kubelet", "1.35.9", 1)
	waitClusterPool(t, api, c.ID)
	bad := map[string]string{"node-labels": "workload-type=ingress", "register-with-taints": "workload-type=ingress:NoSchedule", "maxPods": "100"}
	want := []string{
		"kubelet_args.node-labels does not respect constraint, kubelet argument node-labels is not available for this version",
		"kubelet_args.register-with-taints does not respect constraint, kubelet argument register-with-taints is not available for this version",
	}
	check := func(what string, err error) {
		t.Helper()
		var ia *scw.InvalidArgumentsError
		if !errors.As(err, &ia) {
			t.Fatalf("%s: %v, want invalid_arguments", what, err)
		}
		if len(ia.Details) != 2 {
			t.Fatalf("%s: %d details, want one per refused argument: %v", what, len(ia.Details), err)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: %q lacks %q", what, err.Error(), w)
			}
		}
	}
	_, err := api.CreatePool(&k8s.CreatePoolRequest{ClusterID: c.ID, Name: "ingress", NodeType: "PRO2-XXS", Size: 1, KubeletArgs: bad})
	check("create", err)
	pools, err := api.ListPools(&k8s.ListPoolsRequest{ClusterID: c.ID}, scw.WithAllPages())
	if err != nil || len(pools.Pools) != 1 {
		t.Fatalf("a refused create left pools behind: %v %v", pools, err)
	}
	_, err = api.UpdatePool(&k8s.UpdatePoolRequest{PoolID: pools.Pools[0].ID, KubeletArgs: &bad})
	check("update", err)
	ok := map[string]string{"maxPods": "100"}
	if p, err := api.UpdatePool(&k8s.UpdatePoolRequest{PoolID: pools.Pools[0].ID, KubeletArgs: &ok}); err != nil || p.KubeletArgs["maxPods"] != "100" {
		t.Fatalf("offered argument: %v %v", p, err)
	}
}
