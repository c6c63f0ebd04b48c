package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

// A pool replacement runs create-new → wait-ready → cordon → drain → delete-old. Its progress is
// kept on the live pools, in tags under cloud.TagPrefix that only apply writes, so that a
// re-plan after a crash at any step plans the remaining steps from the snapshot alone:
//
//	new pool  reconciler.scaleway.dev/replaces=<old pool id>     from its creation
//	old pool  reconciler.scaleway.dev/replaced-by=<new pool id>  once all its nodes are cordoned
//	old pool  reconciler.scaleway.dev/drained=<new pool id>      once all its nodes are drained
//
// The old pool's marks name the new pool's id, so a mark left by an earlier replacement towards
// another pool counts for nothing.
const (
	ReplacesTagPrefix   = cloud.TagPrefix + "replaces="
	ReplacedByTagPrefix = cloud.TagPrefix + "replaced-by="
	DrainedTagPrefix    = cloud.TagPrefix + "drained="
)

// Replacement steps, in order (Details["steps"] lists the ones that remain, comma-separated).
const (
	StepCreateNew = "create-new"
	StepWaitReady = "wait-ready"
	StepCordon    = "cordon"
	StepDrain     = "drain"
	StepDeleteOld = "delete-old"
)

// ReplacementSteps are all the steps of a replacement, in order.
var ReplacementSteps = []string{StepCreateNew, StepWaitReady, StepCordon, StepDrain, StepDeleteOld}

// ReplacesTag marks a new pool as the replacement of the pool with id oldID.
func ReplacesTag(oldID string) string { return ReplacesTagPrefix + oldID }

// ReplacedByTag marks an old pool whose nodes are cordoned for the pool with id newID.
func ReplacedByTag(newID string) string { return ReplacedByTagPrefix + newID }

// DrainedTag marks an old pool whose nodes are drained for the pool with id newID.
func DrainedTag(newID string) string { return DrainedTagPrefix + newID }

// PoolReplacement is what a replace-pool carries beside Payload.Pool (the old pool's name) and
// Payload.NewPool (the pool to create, ID set when it exists): the old pool's id, the steps that
// remain at plan time, and the drain policy of the spec pool's rotation block (its drainTimeout,
// onDrainTimeout and budget: how many nodes drain at once).
type PoolReplacement struct {
	OldPoolID      string
	Steps          []string
	DrainTimeout   time.Duration
	OnDrainTimeout string // skip | force | abort
	// Budget is how many of the old pool's nodes are drained at once (at least 1).
	Budget int
	// WindowEnd is when the cluster's upgrade window closes (zero: no window): no node's drain
	// starts at or after it; the replacement goes on at the next opening.
	WindowEnd time.Time
}

// Reserved reports whether a tag is one the reconciler writes (under cloud.TagPrefix).
func Reserved(tag string) bool { return strings.HasPrefix(tag, cloud.TagPrefix) }

// hasTag reports whether tags contain t.
func hasTag(tags []string, t string) bool { return slices.Contains(tags, t) }

// TagValue is the value of the first tag with prefix, "" when none.
func TagValue(tags []string, prefix string) string {
	for _, t := range tags {
		if v, ok := strings.CutPrefix(t, prefix); ok {
			return v
		}
	}
	return ""
}

// replacementReady says whether a live new pool is ready to take the old pool's workloads: the
// API's ready (or warning) status with every node that is not being deleted ready.
func replacementReady(p *cloud.Pool) bool {
	if !slices.Contains(readyPoolStatuses, p.Status) {
		return false
	}
	for _, n := range p.Nodes {
		if n.Status != "ready" && n.Status != "deleting" {
			return false
		}
	}
	return true
}

// remainingSteps derives, from the live pools alone, the steps of a replacement of old by repl
// (nil: not created yet) that remain. An old pool without nodes has nothing to cordon or drain.
func remainingSteps(old, repl *cloud.Pool) []string {
	var steps []string
	switch {
	case old.Status == "deleting":
		return []string{StepDeleteOld}
	case repl == nil:
		steps = ReplacementSteps
	case !replacementReady(repl):
		steps = ReplacementSteps[1:]
	case hasTag(old.Tags, DrainedTag(repl.ID)):
		steps = []string{StepDeleteOld}
	case hasTag(old.Tags, ReplacedByTag(repl.ID)):
		steps = []string{StepDrain, StepDeleteOld}
	default:
		steps = ReplacementSteps[2:]
	}
	if len(old.Nodes) == 0 {
		return slices.DeleteFunc(slices.Clone(steps), func(s string) bool { return s == StepCordon || s == StepDrain })
	}
	return slices.Clone(steps)
}

// replaceDraft adds the replace-pool of old by a pool built from the spec p: repl is the live
// replacement when an interrupted replacement created it already (nil otherwise; then it is
// created under ReplacementName, tagged ReplacesTag(old.ID)). The steps that remain are
// derived from the live pools (remainingSteps), the drain policy from p's rotation block, the
// window end from the cluster's upgrade window at now.
func replaceDraft(w *work, c *spec.Cluster, p spec.Pool, old, repl *cloud.Pool, changes []Change, base func() map[string]string, now time.Time) {
	cluster, region := c.Metadata.Name, c.Spec.Region
	np := DesiredPool(region, p)
	np.Name = ReplacementName(region, p)
	np.Tags = append(slices.Clone(np.Tags), ReplacesTag(old.ID))
	id := actionID(cluster, ReplacePool, p.Name)
	det := base()
	det["pool"], det["pool_id"] = old.Name, old.ID
	if repl != nil {
		np.Name, np.ID, np.Tags = repl.Name, repl.ID, slices.Clone(repl.Tags)
		det["new_pool_id"] = repl.ID
		id = actionID(cluster, ReplacePool, old.Name)
	}
	det["new_pool"] = np.Name
	steps := remainingSteps(old, repl)
	det["steps"] = strings.Join(steps, ",")

	pol := rotation.ResolvePolicy(p.Rotation)
	budget := max(pol.Budget.Resolve(len(old.Nodes)), 1)
	rp := &PoolReplacement{OldPoolID: old.ID, Steps: steps, DrainTimeout: pol.DrainTimeout,
		OnDrainTimeout: pol.OnDrainTimeout, Budget: budget}
	if slices.Contains(steps, StepDrain) {
		det["nodes"] = strconv.Itoa(len(old.Nodes))
		det["drain_timeout"] = rotation.FormatDuration(pol.DrainTimeout)
		det["on_drain_timeout"] = pol.OnDrainTimeout
		det["budget"] = strconv.Itoa(budget)
	}
	if end, ok := windowEnd(c, now); ok {
		rp.WindowEnd = end
		det["window_end"] = end.UTC().Format(time.RFC3339)
	}
	d := &draft{phase: phReplacePool, pool: old, a: Action{ID: id, Type: ReplacePool,
		Target: poolTarget(cluster, old.Name), Reason: "immutable-field-changed", Disruptive: true,
		Changes: changes, Details: det, Payload: Payload{Pool: old.Name, NewPool: &np, Replace: rp}}}
	if old.Status == "deleting" {
		// Only the deletion is left, and Scaleway is doing it: not a pool to gate as not-ready.
		d.pool = nil
	}
	if drainPolicyProblem(pol) != nil && slices.Contains(steps, StepDrain) {
		pr := drainPolicyProblem(pol)
		d.gate = &gate{string(pr.Reason), fmt.Sprintf("pool %s: %s: its nodes are not drained (fail closed)", p.Name, pr.Message)}
	}
	w.add(d)
}

// drainPolicyProblem is the first problem of the rotation policy's drain settings (budget,
// drain timeout, on-timeout policy) that a replacement's drain uses; the rotation window and
// maxAge are rotation's own and do not hold a replacement.
func drainPolicyProblem(pol rotation.Policy) *rotation.Problem {
	for i, pr := range pol.Problems {
		switch pr.Field {
		case "rotation.budget", "rotation.drainTimeout", "rotation.onDrainTimeout":
			return &pol.Problems[i]
		}
	}
	return nil
}

// windowEnd is when the cluster's upgrade window that is open at now closes.
func windowEnd(c *spec.Cluster, now time.Time) (time.Time, bool) {
	if c.Spec.Upgrade == nil || c.Spec.Upgrade.Window == nil {
		return time.Time{}, false
	}
	win, err := c.Spec.Upgrade.Window.Parse()
	if err != nil {
		return time.Time{}, false
	}
	iv, ok := win.Active(now)
	return iv.End, ok
}

// replaceLines explains a replace-pool's remaining steps from its Details, for text and Markdown.
func replaceLines(d map[string]string) []string {
	steps := strings.Split(d["steps"], ",")
	has := func(s string) bool { return slices.Contains(steps, s) }
	out := []string{"steps: " + strings.Join(steps, " → ")}
	switch {
	case has(StepCreateNew):
		out = append(out, fmt.Sprintf("creates pool %s (tagged %s) and waits until its nodes are ready", d["new_pool"], ReplacesTag(d["pool_id"])))
	case has(StepWaitReady):
		out = append(out, fmt.Sprintf("replacement pool %s exists; waits until its nodes are ready", d["new_pool"]))
	default:
		out = append(out, fmt.Sprintf("replacement pool %s exists and is ready", d["new_pool"]))
	}
	if has(StepDrain) {
		cordon := fmt.Sprintf("cordons the %s node(s) of pool %s, then drains", d["nodes"], d["pool"])
		if !has(StepCordon) {
			cordon = fmt.Sprintf("the %s node(s) of pool %s are cordoned; drains", d["nodes"], d["pool"])
		}
		out = append(out, fmt.Sprintf("%s them through the Eviction API, respecting PodDisruptionBudgets (%s at a time, drainTimeout %s, then %s)",
			cordon, d["budget"], d["drain_timeout"], d["on_drain_timeout"]))
		if d["on_drain_timeout"] != spec.OnDrainTimeoutForce {
			out = append(out, fmt.Sprintf("a drain held past its timeout keeps pool %s (nodes cordoned) for the next run", d["pool"]))
		}
		if e := d["window_end"]; e != "" {
			out = append(out, "no drain starts after the upgrade window closes at "+e)
		}
	} else if has(StepDeleteOld) && !has(StepCreateNew) && !has(StepWaitReady) {
		out = append(out, fmt.Sprintf("pool %s has no node left to drain", d["pool"]))
	}
	if has(StepDrain) {
		out = append(out, fmt.Sprintf("deletes pool %s once all its nodes are drained", d["pool"]))
	} else {
		out = append(out, fmt.Sprintf("deletes pool %s", d["pool"]))
	}
	return out
}
