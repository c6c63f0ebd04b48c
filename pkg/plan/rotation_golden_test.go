package plan_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// TestRotationGolden plans testdata/rotation/* with node rotation on (Input.Rotate: the real
// rotation rules and calendar) and compares the plan in every format with its golden files.
func TestRotationGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/rotation/*/desired.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no rotation cases: %v", err)
	}
	for _, f := range dirs {
		dir := filepath.Dir(f)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in := plan.LoadCase(t, dir)
			in.Rotate = true
			p, err := plan.Compute(in)
			if err != nil {
				t.Fatal(err)
			}
			js, err := plan.JSON(p)
			if err != nil {
				t.Fatal(err)
			}
			plan.Golden(t, filepath.Join(dir, "plan.json"), js)
			plan.Golden(t, filepath.Join(dir, "plan.txt"), []byte(plan.Text(p)))
			plan.Golden(t, filepath.Join(dir, "plan.md"), []byte(plan.Markdown(p)))
			checkWindowOpen(t, p)
		})
	}
}

// checkWindowOpen asserts the behaviour behind the window-open golden: the window is open and
// the budget is 1, so exactly one node (the oldest) rotates now; the calendar of the pool puts the
// others in this opening or later ones, every due node exactly once, and the batch pool (young
// nodes, default policy) has nothing to replace in the horizon.
func checkWindowOpen(t *testing.T, p *plan.Plan) {
	t.Helper()
	cp := p.Clusters[0]
	if p.Summary.Rotate != 1 || cp.Actions[0].Target != "node/prod-par/default/scw-prod-par-default-3" {
		t.Fatalf("rotate now: %+v", cp.Actions)
	}
	if len(cp.RotationCalendar) != 2 || cp.RotationCalendar[0].Pool != "default" || cp.RotationCalendar[1].Pool != "batch" {
		t.Fatalf("calendar pools: %+v", cp.RotationCalendar)
	}
	var planned []string
	for _, o := range cp.RotationCalendar[0].Openings {
		if o.Start.Weekday() != 0 || o.Start.Location().String() != "Europe/Paris" || o.Start.Hour() != 3 {
			t.Errorf("opening %s is not Sunday 03:00 Europe/Paris", o.Start)
		}
		planned = append(planned, o.Nodes...)
	}
	if first := cp.RotationCalendar[0].Openings[0]; !first.Start.Before(p.Now) || len(first.Nodes) == 0 || first.Nodes[0] != "scw-prod-par-default-3" {
		t.Errorf("the current opening should come first and start with the oldest node: %+v", first)
	}
	planned = append(planned, cp.RotationCalendar[0].Later...)
	slices.Sort(planned)
	want := []string{"scw-prod-par-default-1", "scw-prod-par-default-2", "scw-prod-par-default-3", "scw-prod-par-default-4"}
	if !slices.Equal(planned, want) {
		t.Errorf("calendar covers %v, want every due node once: %v", planned, want)
	}
	// batch: default policy (any time), its node is 10 days old: due in 20 days, replaced on the
	// first UTC day opening at or after that.
	b := cp.RotationCalendar[1]
	due := p.Now.Add(20 * 24 * time.Hour)
	if !b.AnyTime || len(b.Openings) != 1 || !slices.Equal(b.Openings[0].Nodes, []string{"scw-prod-par-batch-1"}) ||
		b.Openings[0].Start.Before(due) || b.Openings[0].Start.Sub(due) > 24*time.Hour {
		t.Errorf("batch pool calendar: %+v", b)
	}
}
