package rotation

import (
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/window"
)

// DefaultHorizon is how far the calendar (and the soft schedule) looks ahead. The policy's
// defaults and rules are spec's (spec.DefaultedRotation, spec.RotationViolations).
const DefaultHorizon = 30 * 24 * time.Hour

// Policy is a pool's resolved rotation policy. When Problems is not empty the policy is invalid
// and nothing is rotated (fail closed).
type Policy struct {
	Enabled        bool
	MaxAge         time.Duration
	Deadline       time.Duration // an age: the node is overdue past CreatedAt+Deadline
	Budget         spec.IntOrPercent
	DrainTimeout   time.Duration
	OnDrainTimeout string
	// Window is when rotation may run; nil means any time (or an invalid window, see Problems).
	Window *window.Window
	// WindowSpec is the window as written, kept to explain an invalid one.
	WindowSpec *spec.Window
	Problems   []Problem
}

// Problem is one reason a policy is invalid.
type Problem struct {
	Reason  Reason // InvalidWindow, InvalidBudget or InvalidPolicy
	Field   string // rotation.window, rotation.budget, …
	Message string
}

// Valid reports whether the policy has no problem.
func (p Policy) Valid() bool { return len(p.Problems) == 0 }

// ResolvePolicy applies the defaults to r (nil means every default) and checks the result with
// spec's rules, reporting every problem. It never fails: an invalid policy rotates nothing.
func ResolvePolicy(r *spec.Rotation) Policy {
	eff := spec.DefaultedRotation(r)
	p := Policy{
		Enabled:        *eff.Enabled,
		MaxAge:         eff.MaxAge.Duration,
		Deadline:       eff.Deadline.Duration,
		Budget:         *eff.Budget,
		DrainTimeout:   eff.DrainTimeout.Duration,
		OnDrainTimeout: eff.OnDrainTimeout,
	}
	if eff.Window != nil {
		p.WindowSpec = eff.Window
		w, err := eff.Window.Parse()
		if err != nil {
			p.addProblem(InvalidWindow, "rotation.window", err.Error())
		}
		p.Window = w
	}
	for _, v := range spec.RotationViolations(&eff) {
		reason := InvalidPolicy
		if v.Field == "budget" {
			reason = InvalidBudget
		}
		p.addProblem(reason, "rotation."+v.Field, v.Field+" "+v.Message)
	}
	return p
}

func (p *Policy) addProblem(r Reason, field, msg string) {
	p.Problems = append(p.Problems, Problem{Reason: r, Field: field, Message: msg})
}

// blocker is the reason the whole pool is held by its policy, or "" when it may rotate.
func (p Policy) blocker() Reason {
	if !p.Enabled {
		return RotationDisabled
	}
	if len(p.Problems) > 0 {
		return p.Problems[0].Reason
	}
	return ""
}

// concurrency is how many nodes of pool may be out of service at once: the budget resolved
// against the pool's node count, capped by the pool's upgrade policy (see doc.go).
func (p Policy) concurrency(nodes int, up upgradeCap) int {
	n := p.Budget.Resolve(nodes)
	if n < 1 {
		n = 1 // Resolve gives 0 only for an invalid budget, which never reaches here.
	}
	if c := up.MaxUnavailable + up.MaxSurge; c > 0 && c < n {
		n = c
	}
	return n
}

type upgradeCap struct{ MaxSurge, MaxUnavailable int }

// describe renders the policy in one line for reports.
func (p Policy) describe() string {
	w := "any time"
	switch {
	case p.Window != nil:
		w = fmt.Sprintf("%q for %s in %s", p.Window.Schedule, FormatDuration(p.Window.Duration), p.Window.Location)
	case p.WindowSpec != nil:
		w = fmt.Sprintf("%q for %s in %q (invalid)", p.WindowSpec.Schedule, FormatDuration(p.WindowSpec.Duration.Duration), p.WindowSpec.TimeZone)
	}
	return fmt.Sprintf("maxAge %s, deadline %s, budget %s, window %s", FormatDuration(p.MaxAge), FormatDuration(p.Deadline), p.Budget, w)
}
