package plan

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// positionsFile holds two clusters; the second's second pool has a node-type typo, and the
// first asks for a minor the region does not offer.
const positionsFile = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: ahead}
spec:
  region: fr-par
  projectID: 0c7a4f2e-8d1b-4c3a-9e5f-6a7b8c9d0e1f
  version: "1.37"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools:
    - {name: default, nodeType: PRO2-S, size: 1}
---
apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: typo}
spec:
  region: fr-par
  projectID: 0c7a4f2e-8d1b-4c3a-9e5f-6a7b8c9d0e1f
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools:
    - name: default
      nodeType: PRO2-S
      size: 1
    - name: web
      size: 2
      nodeType: PRO2-SS
`

// A plan error about a pool points at the line and column where that pool's field was written,
// as validate's errors do, not at the document's first line; a version error at spec.version.
func TestPlanErrorsPointAtTheFieldsOwnPosition(t *testing.T) {
	repo, err := spec.Load(fstest.MapFS{"clusters/x.yaml": {Data: []byte(positionsFile)}})
	if err != nil {
		t.Fatal(err)
	}
	ref := cloud.Ref{Region: "fr-par", ProjectID: "0c7a4f2e-8d1b-4c3a-9e5f-6a7b8c9d0e1f"}
	snap := &cloud.Snapshot{Ref: ref,
		Versions: []cloud.Version{{Name: "1.36.5"}, {Name: "1.35.9"}},
		Clusters: []cloud.Cluster{{ID: "c1", Name: "ahead", Region: ref.Region, ProjectID: ref.ProjectID, Type: "kapsule", Status: "ready",
			Version: "1.35.9", CNI: "cilium", PrivateNetworkID: "5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b",
			Tags: []string{cloud.ManagedByTag, cloud.OwnerTag("golden-repo"), cloud.ProtectionTag(true)}}},
		Zones: []cloud.ZoneCatalog{{Zone: "fr-par-1", NodeTypes: []cloud.NodeType{
			{Name: "PRO2-XS", MemoryBytes: 8 << 30}, {Name: "PRO2-S", MemoryBytes: 16 << 30}, {Name: "PRO2-M", MemoryBytes: 32 << 30}}}}}

	_, err = Compute(Input{Revision: "abc", Owner: "golden-repo", Now: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC),
		Desired: repo.Clusters, Snapshots: []*cloud.Snapshot{snap}})

	if err == nil {
		t.Fatal("plan succeeded; want the node-type and version errors")
	}
	for _, want := range []string{
		`clusters/x.yaml:26:7: spec.pools[1].nodeType: pool web: node type "PRO2-SS" is not offered in fr-par-1; closest: PRO2-XS, PRO2-S`,
		`clusters/x.yaml:7:3: spec.version: no upgrade path from 1.35.9 to 1.37: 1.37 is not offered`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("plan error:\n%v\nwant it to contain\n%s", err, want)
		}
	}
}

// A node-type warning (a scarce type) points at the pool's nodeType line, as the node-type
// errors do; it named no place before.
func TestPlanNodeTypeWarningPointsAtNodeType(t *testing.T) {
	const doc = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: fresh}
spec:
  region: fr-par
  projectID: 0c7a4f2e-8d1b-4c3a-9e5f-6a7b8c9d0e1f
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools:
    - {name: default, nodeType: PRO2-S, size: 1}
    - name: batch
      size: 1
      nodeType: PRO2-M
`
	repo, err := spec.Load(fstest.MapFS{"clusters/fresh.yaml": {Data: []byte(doc)}})
	if err != nil {
		t.Fatal(err)
	}
	ref := cloud.Ref{Region: "fr-par", ProjectID: "0c7a4f2e-8d1b-4c3a-9e5f-6a7b8c9d0e1f"}
	snap := &cloud.Snapshot{Ref: ref, Versions: []cloud.Version{{Name: "1.36.5"}, {Name: "1.35.9"}},
		Zones: []cloud.ZoneCatalog{{Zone: "fr-par-1", NodeTypes: []cloud.NodeType{
			{Name: "PRO2-S", MemoryBytes: 16 << 30}, {Name: "PRO2-M", MemoryBytes: 32 << 30, Availability: cloud.StockScarce}}}}}
	p, err := Compute(Input{Revision: "abc", Owner: "golden-repo", Now: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC),
		Desired: repo.Clusters, Snapshots: []*cloud.Snapshot{snap}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Clusters {
		for _, w := range c.Warnings {
			if w.Code == "node-type-scarce" {
				got = append(got, w.Message)
			}
		}
	}
	want := "clusters/fresh.yaml:13:7: spec.pools[1].nodeType: node type PRO2-M is scarce in fr-par-1 (pool batch): its creation may fail for lack of stock"
	if len(got) != 1 || got[0] != want {
		t.Errorf("node-type-scarce warnings %q, want [%q]", got, want)
	}
}
