package plan

import (
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// A pool's privateNetworkID is create-only: unset follows the cluster's (never a change), a
// different one is an immutable change (a replacement), and it names the replacement.
func TestPoolPrivateNetworkID(t *testing.T) {
	size := 2
	p := spec.Pool{Name: "web", NodeType: "PRO2-S", Zone: "fr-par-1", Size: &size}
	live := DesiredPool("fr-par", p)
	live.PrivateNetworkID = "11111111-1111-4111-8111-111111111111" // the cluster's, given by the API
	if _, imm, _ := poolChanges("fr-par", p, &live); len(imm) != 0 {
		t.Errorf("unset privateNetworkID: immutable changes %+v", imm)
	}
	before := ReplacementName("fr-par", p)
	p.PrivateNetworkID = "22222222-2222-4222-8222-222222222222"
	_, imm, _ := poolChanges("fr-par", p, &live)
	if len(imm) != 1 || imm[0].Path != "spec.pools[web].privateNetworkID" || imm[0].After != p.PrivateNetworkID {
		t.Errorf("another privateNetworkID: immutable changes %+v", imm)
	}
	if ReplacementName("fr-par", p) == before {
		t.Error("the replacement's name ignores the private network")
	}
	if d := DesiredPool("fr-par", p); d.PrivateNetworkID != p.PrivateNetworkID {
		t.Errorf("desired pool network %q", d.PrivateNetworkID)
	}
	live.PrivateNetworkID = p.PrivateNetworkID
	if _, imm, _ := poolChanges("fr-par", p, &live); len(imm) != 0 {
		t.Errorf("same privateNetworkID: %+v", imm)
	}
}
