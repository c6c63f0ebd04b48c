package spec

import (
	"strings"
	"testing"
	"testing/fstest"
)

const cniDoc = `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: c}
spec:
  region: fr-par
  version: "1.35"
  cni: CNI
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
`

// TestKapsuleCNIs: the API's cilium_native and none are Kapsule CNIs; kilo and unknown names are
// refused at the cni line with the list of valid ones.
func TestKapsuleCNIs(t *testing.T) {
	for _, cni := range []string{"cilium", "calico", "cilium_native", "none"} {
		repo, err := Load(fstest.MapFS{"clusters/c.yaml": {Data: []byte(strings.Replace(cniDoc, "CNI", cni, 1))}})
		if err != nil {
			t.Errorf("cni %s refused: %v", cni, err)
			continue
		}
		if got := repo.Clusters[0].Spec.CNI; got != cni {
			t.Errorf("cni %s loaded as %q", cni, got)
		}
	}
	for cni, want := range map[string]string{"weave": "cilium_native", "kilo": "Kosmos"} {
		_, err := Load(fstest.MapFS{"clusters/c.yaml": {Data: []byte(strings.Replace(cniDoc, "CNI", cni, 1))}})
		if err == nil || !strings.Contains(err.Error(), "clusters/c.yaml:7") || !strings.Contains(err.Error(), want) {
			t.Errorf("cni %s: err = %v, want an error at clusters/c.yaml:7 mentioning %s", cni, err, want)
		}
	}
}

func TestPoolPrivateNetworkIDValidated(t *testing.T) {
	doc := strings.Replace(cniDoc, "CNI", "cilium", 1) + "  pools:\n    - name: web\n      nodeType: PRO2-S\n      size: 1\n      privateNetworkID: PN\n"
	if _, err := Load(fstest.MapFS{"clusters/c.yaml": {Data: []byte(strings.Replace(doc, "PN", "6c2f8a1b-4d3e-4f60-9bac-1d2e3f4a5b6c", 1))}}); err != nil {
		t.Errorf("a pool network refused: %v", err)
	}
	_, err := Load(fstest.MapFS{"clusters/c.yaml": {Data: []byte(strings.Replace(doc, "PN", "not-a-uuid", 1))}})
	if err == nil || !strings.Contains(err.Error(), "clusters/c.yaml:13") || !strings.Contains(err.Error(), "spec.pools[0].privateNetworkID") {
		t.Errorf("a bad pool network: err = %v", err)
	}
}
