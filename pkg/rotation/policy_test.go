package rotation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func TestResolvePolicyDefaults(t *testing.T) {
	p := ResolvePolicy(nil)
	if !p.Valid() || !p.Enabled {
		t.Fatalf("default policy: valid=%v enabled=%v problems=%v", p.Valid(), p.Enabled, p.Problems)
	}
	if p.MaxAge != 720*time.Hour || p.Deadline != 720*time.Hour+168*time.Hour || p.DrainTimeout != 30*time.Minute ||
		p.OnDrainTimeout != "skip" || p.Budget != (spec.IntOrPercent{Value: 1}) || p.Window != nil {
		t.Errorf("defaults = %+v", p)
	}
	// The default deadline follows a custom maxAge.
	p = ResolvePolicy(&spec.Rotation{MaxAge: dur(240 * time.Hour)})
	if p.Deadline != 240*time.Hour+168*time.Hour {
		t.Errorf("deadline = %s, want maxAge+168h", p.Deadline)
	}
	p = ResolvePolicy(&spec.Rotation{Enabled: ptr(false)})
	if p.Enabled || p.blocker() != RotationDisabled {
		t.Errorf("disabled policy: enabled=%v blocker=%q", p.Enabled, p.blocker())
	}
}

func TestResolvePolicyInvalid(t *testing.T) {
	cases := []struct {
		name string
		r    spec.Rotation
		want []Reason
	}{
		{"bad cron", spec.Rotation{Window: &spec.Window{Schedule: "every sunday", Duration: spec.Duration{Duration: time.Hour}}}, []Reason{InvalidWindow}},
		{"bad zone", spec.Rotation{Window: &spec.Window{Schedule: "0 2 * * SUN", Duration: spec.Duration{Duration: time.Hour}, TimeZone: "Europe/Atlantis"}}, []Reason{InvalidWindow}},
		{"zero duration", spec.Rotation{Window: &spec.Window{Schedule: "0 2 * * SUN"}}, []Reason{InvalidWindow}},
		{"zero budget", spec.Rotation{Budget: count(0)}, []Reason{InvalidBudget}},
		{"negative budget", spec.Rotation{Budget: count(-2)}, []Reason{InvalidBudget}},
		{"zero percent", spec.Rotation{Budget: percent(0)}, []Reason{InvalidBudget}},
		{"over 100 percent", spec.Rotation{Budget: percent(150)}, []Reason{InvalidBudget}},
		{"short maxAge", spec.Rotation{MaxAge: dur(time.Hour)}, []Reason{InvalidPolicy}},
		{"deadline before maxAge", spec.Rotation{Deadline: dur(100 * time.Hour)}, []Reason{InvalidPolicy}},
		{"drain timeout", spec.Rotation{DrainTimeout: dur(0)}, []Reason{InvalidPolicy}},
		{"on drain timeout", spec.Rotation{OnDrainTimeout: "pray"}, []Reason{InvalidPolicy}},
		{"every problem at once", spec.Rotation{Window: &spec.Window{Schedule: "x"}, Budget: count(0), MaxAge: dur(time.Hour)},
			[]Reason{InvalidWindow, InvalidBudget, InvalidPolicy}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ResolvePolicy(&c.r)
			var got []Reason
			for _, pr := range p.Problems {
				got = append(got, pr.Reason)
				if pr.Field == "" || pr.Message == "" {
					t.Errorf("problem without field or message: %+v", pr)
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			if p.Valid() || p.blocker() != c.want[0] {
				t.Errorf("valid=%v blocker=%q, want invalid with %q", p.Valid(), p.blocker(), c.want[0])
			}
		})
	}
}

func TestConcurrency(t *testing.T) {
	cases := []struct {
		name   string
		budget spec.IntOrPercent
		nodes  int
		up     upgradeCap
		want   int
	}{
		{"count", spec.IntOrPercent{Value: 2}, 10, upgradeCap{}, 2},
		{"percent rounds up", spec.IntOrPercent{Value: 25, IsPercent: true}, 6, upgradeCap{}, 2},
		{"percent of 25 nodes", spec.IntOrPercent{Value: 10, IsPercent: true}, 25, upgradeCap{}, 3},
		{"percent at least one", spec.IntOrPercent{Value: 1, IsPercent: true}, 10, upgradeCap{}, 1},
		{"percent of an empty pool", spec.IntOrPercent{Value: 50, IsPercent: true}, 0, upgradeCap{}, 1},
		{"upgrade policy caps", spec.IntOrPercent{Value: 5}, 10, upgradeCap{MaxUnavailable: 1, MaxSurge: 1}, 2},
		{"upgrade policy above budget", spec.IntOrPercent{Value: 1}, 10, upgradeCap{MaxUnavailable: 3}, 1},
		{"unreported upgrade policy", spec.IntOrPercent{Value: 3}, 10, upgradeCap{}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Policy{Budget: c.budget}
			if got := p.concurrency(c.nodes, c.up); got != c.want {
				t.Errorf("concurrency(%s of %d, %+v) = %d, want %d", c.budget, c.nodes, c.up, got, c.want)
			}
		})
	}
}
