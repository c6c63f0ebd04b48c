package rotation

import (
	"fmt"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/window"
)

// Defaults of a pool's rotation policy (DESIGN §2).
const (
	DefaultMaxAge         = 720 * time.Hour
	DefaultBudget         = 1
	DefaultDrainTimeout   = 30 * time.Minute
	DefaultOnDrainTimeout = spec.OnDrainTimeoutSkip
	// DefaultDeadlineGrace is added to maxAge when the deadline is not set.
	DefaultDeadlineGrace = 7 * 24 * time.Hour
	// MinMaxAge is the shortest maxAge accepted.
	MinMaxAge = 24 * time.Hour
	// DefaultHorizon is how far the calendar (and the soft schedule) looks ahead.
	DefaultHorizon = 30 * 24 * time.Hour
)

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

// ResolvePolicy applies the defaults to r (nil means every default) and validates the result,
// reporting every problem. It never fails: an invalid policy rotates nothing.
func ResolvePolicy(r *spec.Rotation) Policy {
	if r == nil {
		r = &spec.Rotation{}
	}
	p := Policy{
		Enabled:        r.Enabled == nil || *r.Enabled,
		MaxAge:         DefaultMaxAge,
		Budget:         spec.IntOrPercent{Value: DefaultBudget},
		DrainTimeout:   DefaultDrainTimeout,
		OnDrainTimeout: DefaultOnDrainTimeout,
	}
	if r.MaxAge != nil {
		p.MaxAge = r.MaxAge.Duration
	}
	p.Deadline = p.MaxAge + DefaultDeadlineGrace
	if r.Deadline != nil {
		p.Deadline = r.Deadline.Duration
	}
	if r.Budget != nil {
		p.Budget = *r.Budget
	}
	if r.DrainTimeout != nil {
		p.DrainTimeout = r.DrainTimeout.Duration
	}
	if r.OnDrainTimeout != "" {
		p.OnDrainTimeout = r.OnDrainTimeout
	}
	if r.Window != nil {
		p.WindowSpec = r.Window
		w, err := r.Window.Parse()
		if err != nil {
			p.addProblem(InvalidWindow, "rotation.window", err.Error())
		}
		p.Window = w
	}
	p.validate()
	return p
}

func (p *Policy) validate() {
	switch {
	case p.Budget.IsPercent && (p.Budget.Value < 1 || p.Budget.Value > 100):
		p.addProblem(InvalidBudget, "rotation.budget", fmt.Sprintf("budget %s: a percentage must be between 1%% and 100%%", p.Budget))
	case !p.Budget.IsPercent && p.Budget.Value < 1:
		p.addProblem(InvalidBudget, "rotation.budget", fmt.Sprintf("budget %s: must be at least 1 node", p.Budget))
	}
	if p.MaxAge < MinMaxAge {
		p.addProblem(InvalidPolicy, "rotation.maxAge", fmt.Sprintf("maxAge %s: must be at least %s", p.MaxAge, MinMaxAge))
	}
	if p.Deadline < p.MaxAge {
		p.addProblem(InvalidPolicy, "rotation.deadline", fmt.Sprintf("deadline %s: must be at least maxAge (%s)", p.Deadline, p.MaxAge))
	}
	if p.DrainTimeout <= 0 {
		p.addProblem(InvalidPolicy, "rotation.drainTimeout", fmt.Sprintf("drainTimeout %s: must be positive", p.DrainTimeout))
	}
	switch p.OnDrainTimeout {
	case spec.OnDrainTimeoutSkip, spec.OnDrainTimeoutForce, spec.OnDrainTimeoutAbort:
	default:
		p.addProblem(InvalidPolicy, "rotation.onDrainTimeout", fmt.Sprintf("onDrainTimeout %q: must be skip, force or abort", p.OnDrainTimeout))
	}
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
		w = fmt.Sprintf("%q for %s in %s", p.Window.Schedule, fmtDuration(p.Window.Duration), p.Window.Location)
	case p.WindowSpec != nil:
		w = fmt.Sprintf("%q for %s in %q (invalid)", p.WindowSpec.Schedule, fmtDuration(p.WindowSpec.Duration.Duration), p.WindowSpec.TimeZone)
	}
	return fmt.Sprintf("maxAge %s, deadline %s, budget %s, window %s", fmtDuration(p.MaxAge), fmtDuration(p.Deadline), p.Budget, w)
}
