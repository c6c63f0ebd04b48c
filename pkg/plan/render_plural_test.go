package plan

import (
	"strings"
	"testing"
)

// Counters in the renderers agree with their number: "1 action", "2 actions", "1 warning",
// "1 orphan cluster … needs" (they said "1 actions" and "1 orphan cluster(s) … need").
func TestRenderedCountersArePluralisedCorrectly(t *testing.T) {
	one := ClusterPlan{Name: "a", Region: "fr-par", Actions: []Action{{Type: UpdateCluster}}, Deferred: []Deferred{}, Warnings: []Warning{{Code: "x", Message: "m"}}}
	two := ClusterPlan{Name: "b", Region: "fr-par", Actions: []Action{{Type: UpdateCluster}, {Type: UpdateCluster}}, Deferred: []Deferred{}, Warnings: []Warning{}}
	md := Markdown(&Plan{Clusters: []ClusterPlan{one, two}, Summary: Summary{Update: 3, Orphans: 1}})
	for _, want := range []string{"(fr-par): 1 action, 0 deferred, 1 warning</summary>", "(fr-par): 2 actions, 0 deferred, 0 warnings</summary>",
		"1 orphan cluster of this repository needs a spec"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if got := SummaryLine(&Plan{Summary: Summary{Orphans: 2}}); !strings.Contains(got, "2 orphan clusters of this repository need a spec") {
		t.Errorf("summary with 2 orphans: %q", got)
	}
}
