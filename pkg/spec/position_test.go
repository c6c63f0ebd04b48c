package spec

import (
	"testing"
	"testing/fstest"
)

// Pos points at the line and column where each pool's fields were written, in the document
// they were written in (not the file's first line), and at the pool's dash for a defaulted zone.
func TestPosPointsAtEachPoolsOwnFields(t *testing.T) {
	const file = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: first}
spec:
  region: fr-par
  projectID: 0c7a4f2e-8d1b-4c3a-9e5f-6a7b8c9d0e1f
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools:
    - {name: default, nodeType: PRO2-S, size: 1}
---
apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: second}
spec:
  region: fr-par
  projectID: 0c7a4f2e-8d1b-4c3a-9e5f-6a7b8c9d0e1f
  version: "1.36"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  pools:
    - name: default
      nodeType: PRO2-S
      zone: fr-par-2
      size: 1
    - name: web
      nodeType: PRO2-SS
      size: 2
`
	repo, err := Load(fstest.MapFS{"clusters/x.yaml": {Data: []byte(file)}})
	if err != nil {
		t.Fatal(err)
	}
	second := repo.Clusters[1]
	for path, want := range map[string]string{
		"spec.version":           "clusters/x.yaml:18:3",
		"spec.pools[0].zone":     "clusters/x.yaml:23:7",
		"spec.pools[1]":          "clusters/x.yaml:25:7",
		"spec.pools[1].nodeType": "clusters/x.yaml:26:7",
		"spec.pools[1].zone":     "clusters/x.yaml:25:7", // defaulted: the pool
		"spec.cni":               "clusters/x.yaml:12:1", // not indexed: the document
	} {
		if got := second.Pos(path).String(); got != want {
			t.Errorf("Pos(%s) = %s, want %s", path, got, want)
		}
	}
	if got := repo.Clusters[0].Pos("spec.pools[0].nodeType").String(); got != "clusters/x.yaml:10:23" {
		t.Errorf("first document's pool nodeType at %s, want clusters/x.yaml:10:23", got)
	}
	if got := (&Cluster{Source: Source{File: "c.yaml", Line: 3}}).Pos("spec.version").String(); got != "c.yaml:3:1" {
		t.Errorf("a Cluster built in code: Pos = %s, want its Source", got)
	}
}
