package status

import (
	"testing"
	"time"
)

// A pushed status/zz.yaml claiming cluster a, healthy since long ago, stood for status/a.yaml
// whenever map order read it last: the rollout's soak clock and another shard's facts came from a
// file the reconciler never writes. Only status/<cluster>.yaml counts now, on every read.
func TestRolloutRecordsComeOnlyFromTheClustersOwnFile(t *testing.T) {
	at := func(since time.Time) []byte {
		y, err := MarshalYAML(&ClusterStatus{APIVersion: APIVersion, Kind: Kind, Cluster: "a", Region: "fr-par", ProjectID: "p",
			Rollout: &RolloutStatus{HealthySince: &since, HealthBasis: "b", CheckedAt: &since, Live: &RolloutLive{Version: "1.36.1"}}})
		if err != nil {
			t.Fatal(err)
		}
		return y
	}
	own, forged := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	files := map[string][]byte{"status/a.yaml": at(own), "status/zz.yaml": at(forged), "status/aa.yaml": at(forged)}
	for i := range 20 {
		if h := HealthFrom(files)["fr-par/p/a"]; !h.Since.Equal(own) {
			t.Fatalf("read %d: health since %s, want status/a.yaml's %s", i, h.Since, own)
		}
		if f := FactsFrom(files)["fr-par/p/a"]; !f.CheckedAt.Equal(own) || f.File != "status/a.yaml" {
			t.Fatalf("read %d: facts from %s checked at %s, want status/a.yaml's", i, f.File, f.CheckedAt)
		}
	}
	delete(files, "status/a.yaml")
	if _, ok := HealthFrom(files)["fr-par/p/a"]; ok {
		t.Error("health read from files that are not status/a.yaml")
	}
	if _, ok := FactsFrom(files)["fr-par/p/a"]; ok {
		t.Error("facts read from files that are not status/a.yaml")
	}
}
