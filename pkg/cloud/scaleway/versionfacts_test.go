package scaleway

import (
	"slices"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// A live minor the region's list no longer has (1.34 after its end of life): its facts come from
// GetVersion, asked once per live version, and a version the API no longer knows at all leaves
// them nil without failing the observation.
func TestObserveAsksGetVersionOnlyForAnUnlistedMinor(t *testing.T) {
	second := strings.NewReplacer(clusterID, "ca7275b9-0000-4000-8000-0000000000b2", `"name":"prod-par"`, `"name":"prod-ams"`).Replace(clusterJSON)
	third := strings.NewReplacer(clusterID, "ca7275b9-0000-4000-8000-0000000000b3", `"name":"prod-par"`, `"name":"prod-waw"`, `"version":"1.34.6"`, `"version":"1.32.1"`).Replace(clusterJSON)
	only135 := `{"versions":[{"name":"1.35.3","region":"fr-par","available_cnis":["cilium"],"deprecated_at":"2027-01-19T00:00:00Z","end_of_life_at":"2027-03-19T00:00:00Z"}]}`
	s := newCannedServer(t, map[string]reply{
		"GET " + base + "/clusters": {body: listClusters(clusterJSON, second, third)},
		"GET " + base + "/clusters/ca7275b9-0000-4000-8000-0000000000b3/pools": {body: listPools()},
		"GET " + base + "/clusters/ca7275b9-0000-4000-8000-0000000000b3/nodes": {body: `{"total_count":0,"nodes":[]}`},
		"GET " + base + "/clusters/" + clusterID + "/pools":                    {body: listPools()},
		"GET " + base + "/clusters/" + clusterID + "/nodes":                    {body: `{"total_count":0,"nodes":[]}`},
		"GET " + base + "/clusters/ca7275b9-0000-4000-8000-0000000000b2/pools": {body: listPools()},
		"GET " + base + "/clusters/ca7275b9-0000-4000-8000-0000000000b2/nodes": {body: `{"total_count":0,"nodes":[]}`},
		"GET " + base + "/versions":                                            {body: only135},
		"GET " + base + "/versions/1.34.6":                                     {body: `{"name":"1.34.6","region":"fr-par","deprecated_at":"2026-09-29T00:00:00Z","end_of_life_at":"2026-11-29T00:00:00Z"}`},
	})
	snap, err := s.provider(t).Observe(t.Context(), cloud.Ref{Region: "fr-par", ProjectID: testProject})
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	for _, c := range snap.Clusters {
		lv := c.LiveVersion
		if c.Name == "prod-waw" {
			if lv != nil {
				t.Errorf("prod-waw on a version the API does not know: facts %+v, want none", lv)
			}
			continue
		}
		if lv == nil || lv.Name != "1.34.6" || lv.EndOfLifeAt == nil || lv.EndOfLifeAt.Format("2006-01-02") != "2026-11-29" {
			t.Errorf("%s: live version facts %+v, want 1.34.6 with its end of life", c.Name, lv)
		}
	}
	var gets int
	for _, r := range s.requests(false) {
		if strings.HasPrefix(r.String(), "GET "+base+"/versions/") {
			gets++
		}
	}
	if gets != 2 {
		t.Errorf("GetVersion asked %d times for two clusters on 1.34.6 and one on 1.32.1, want twice", gets)
	}
}

// AvailableVersions is the cluster's own list of upgrade targets.
func TestAvailableVersions(t *testing.T) {
	s := newCannedServer(t, map[string]reply{
		"GET " + base + "/clusters/" + clusterID + "/available-versions": {body: `{"versions":[{"name":"1.35.3"},{"name":"1.35.0"}]}`},
	})
	got, err := s.provider(t).AvailableVersions(t.Context(), "fr-par", clusterID)
	if err != nil || !slices.Equal(got, []string{"1.35.3", "1.35.0"}) {
		t.Errorf("AvailableVersions = %v, %v", got, err)
	}
}
