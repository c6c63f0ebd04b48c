package drain

import (
	"context"
	"errors"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
)

// Drain cordons node and evicts its pods (see the package doc). It always
// returns a Result describing what happened. The error is nil when the node
// is empty (OutcomeDrained) or was emptied by force (OutcomeForced); a
// *DrainTimeoutError for OnTimeoutSkip, an *AbortError for OnTimeoutAbort,
// and a wrapped context or API error otherwise.
//
// Drain cordons the node itself: callers should not cordon first, or a
// timed-out drain will take the node for an operator's cordon and leave it
// cordoned.
func (d *Drainer) Drain(ctx context.Context, node string) (*Result, error) {
	o := d.opts()
	clk := d.clock()
	start := clk.Now()
	res := &Result{Node: node}
	defer func() {
		res.Duration = clk.Since(start)
		res.sort()
	}()

	was, err := d.setUnschedulable(ctx, node, true)
	if err != nil {
		res.Outcome = OutcomeFailed
		return res, fmt.Errorf("drain: %w", err)
	}
	res.AlreadyCordoned = was

	r := &round{evicted: map[types.UID]PodRef{}, skipped: map[types.UID]bool{}, warned: map[types.UID]bool{}}
	// Refused evictions back off from RetryDelay up to MaxRetryDelay, without jitter (one
	// drain, nothing to spread); the drain's timeout bounds the tries.
	evict := backoff.Policy{Base: o.RetryDelay, Max: o.MaxRetryDelay}
	refused := 0 // rounds with a blocked pod since the last progress
	for {
		progress, err := d.evictRound(ctx, node, o, r, res)
		if err != nil {
			if ctx.Err() != nil {
				return res, d.giveUp(ctx, res, OutcomeCancelled, fmt.Errorf("drain node %q: %w", node, ctx.Err()))
			}
			return res, d.giveUp(ctx, res, OutcomeFailed, fmt.Errorf("drain node %q: %w", node, err))
		}
		if r.listed && len(r.blocked) == 0 && len(r.terminating) == 0 {
			res.Outcome = OutcomeDrained
			return res, nil
		}
		elapsed := clk.Since(start)
		if elapsed >= o.Timeout {
			return res, d.timedOut(ctx, node, o, r, res)
		}
		wait := o.PollInterval
		if len(r.blocked) > 0 {
			// Backoff: progress (a pod evicted or gone) resets it.
			if progress {
				refused = 0
			}
			refused++
			wait = evict.Delay(refused, 1)
		}
		if err := backoff.Sleep(ctx, clk, min(wait, o.Timeout-elapsed)); err != nil {
			return res, d.giveUp(ctx, res, OutcomeCancelled, fmt.Errorf("drain node %q: %w", node, err))
		}
	}
}

// round is the drain's memory between eviction rounds, and the last
// round's view of the node.
type round struct {
	evicted map[types.UID]PodRef // accepted evictions, until the pod is gone
	skipped map[types.UID]bool   // reported skips
	warned  map[types.UID]bool   // reported warnings

	listed      bool         // the last round could list the node's pods
	blocked     []corev1.Pod // eviction refused or failed in the last round
	terminating []corev1.Pod // evicted by us, still present
	lastRefusal string
}

// evictRound lists the node's pods once and tries to evict every evictable
// one. progress is true when a pod was evicted or disappeared.
func (d *Drainer) evictRound(ctx context.Context, node string, o Options, r *round, res *Result) (progress bool, err error) {
	pods, err := d.podsOnNode(ctx, node)
	if err != nil {
		if retryable(err) && ctx.Err() == nil {
			// Keep the previous view; the timeout still bounds us.
			r.listed = false
			d.log().WarnContext(ctx, "drain list pods failed, will retry", "node", node, "error", err)
			return false, nil
		}
		return false, err
	}
	r.listed = true
	present := map[types.UID]bool{}
	r.blocked, r.terminating = nil, nil
	for i := range pods {
		pod := &pods[i]
		ref := PodRef{Namespace: pod.Namespace, Name: pod.Name}
		present[pod.UID] = true
		if _, ok := r.evicted[pod.UID]; ok {
			r.terminating = append(r.terminating, *pod)
			continue
		}
		dec := Decide(*pod, o.Filters)
		if !dec.Evict {
			if !r.skipped[pod.UID] {
				r.skipped[pod.UID] = true
				res.Skipped = append(res.Skipped, SkippedPod{Pod: ref, Reason: dec.Reason, Message: dec.Message})
				d.emit(ctx, Event{Type: EventPodSkipped, Node: node, Pod: ref, Message: string(dec.Reason) + ": " + dec.Message})
			}
			continue
		}
		if dec.Message != "" && !r.warned[pod.UID] {
			r.warned[pod.UID] = true
			res.Warnings = append(res.Warnings, ref.String()+": "+dec.Message)
		}
		outcome, eerr := d.evict(ctx, pod)
		switch outcome {
		case evictAccepted:
			r.evicted[pod.UID] = ref
			res.Evicted = append(res.Evicted, ref)
			r.terminating = append(r.terminating, *pod)
			progress = true
			d.emit(ctx, Event{Type: EventEvicted, Node: node, Pod: ref})
		case evictGone:
			progress = true
		case evictRefused:
			res.Refusals++
			r.lastRefusal = statusMessage(eerr)
			r.blocked = append(r.blocked, *pod)
			d.emit(ctx, Event{Type: EventEvictionRefused, Node: node, Pod: ref, Message: r.lastRefusal})
		case evictRetry:
			r.blocked = append(r.blocked, *pod)
			d.log().WarnContext(ctx, "drain eviction failed, will retry", "node", node, "pod", ref.String(), "error", eerr)
		case evictFatal:
			if ctx.Err() != nil {
				return progress, ctx.Err()
			}
			return progress, fmt.Errorf("evict pod %s: %w", ref, eerr)
		}
	}
	var gone []PodRef
	for uid, ref := range r.evicted {
		if !present[uid] {
			delete(r.evicted, uid)
			gone = append(gone, ref)
		}
	}
	slices.SortFunc(gone, comparePodRef) // events in a stable order
	for _, ref := range gone {
		progress = true
		d.emit(ctx, Event{Type: EventPodGone, Node: node, Pod: ref})
	}
	return progress, nil
}

// podsOnNode lists the pods bound to node, sorted by namespace and name.
func (d *Drainer) podsOnNode(ctx context.Context, node string) ([]corev1.Pod, error) {
	cctx, cancel := d.callCtx(ctx)
	defer cancel()
	list, err := d.Client.CoreV1().Pods(metav1.NamespaceAll).List(cctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("spec.nodeName", node).String(),
	})
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	// Re-check the binding: some clients (fakes) ignore field selectors.
	pods := slices.DeleteFunc(list.Items, func(p corev1.Pod) bool { return p.Spec.NodeName != node })
	slices.SortFunc(pods, func(a, b corev1.Pod) int {
		return comparePodRef(PodRef{a.Namespace, a.Name}, PodRef{b.Namespace, b.Name})
	})
	return pods, nil
}

// timedOut applies o.OnTimeout once the drain's time is up.
func (d *Drainer) timedOut(ctx context.Context, node string, o Options, r *round, res *Result) error {
	te := &DrainTimeoutError{
		Node:        node,
		Timeout:     o.Timeout,
		Blocked:     refs(r.blocked),
		Terminating: refs(r.terminating),
		PDBs:        d.blockingPDBs(ctx, r.blocked),
		LastRefusal: r.lastRefusal,
	}
	res.BlockingPDBs = te.PDBs
	res.Remaining = append(refs(r.blocked), refs(r.terminating)...)
	d.emit(ctx, Event{Type: EventTimeout, Node: node, Message: te.Error()})
	switch o.OnTimeout {
	case OnTimeoutForce:
		return d.force(ctx, node, o, r, res)
	case OnTimeoutAbort:
		return d.giveUp(ctx, res, OutcomeAborted, &AbortError{Timeout: te})
	case OnTimeoutSkip:
		return d.giveUp(ctx, res, OutcomeSkipped, te)
	default:
		return d.giveUp(ctx, res, OutcomeFailed, fmt.Errorf("drain node %q: unknown onDrainTimeout %q: %w", node, o.OnTimeout, te))
	}
}

// force deletes the pods still on the node and waits (bounded by
// o.ForceWait) for them to go. Blocked pods are deleted with
// o.ForceGracePeriod; pods already terminating only when it is set (to
// shorten their grace).
func (d *Drainer) force(ctx context.Context, node string, o Options, r *round, res *Result) error {
	res.Outcome = OutcomeForced
	targets := slices.Clone(r.blocked)
	if o.ForceGracePeriod != nil {
		targets = append(targets, r.terminating...)
	}
	waitFor := map[types.UID]PodRef{}
	for _, p := range r.terminating {
		waitFor[p.UID] = PodRef{p.Namespace, p.Name}
	}
	for i := range targets {
		p := &targets[i]
		ref := PodRef{p.Namespace, p.Name}
		uid := p.UID
		cctx, cancel := d.callCtx(ctx)
		err := d.Client.CoreV1().Pods(p.Namespace).Delete(cctx, p.Name, metav1.DeleteOptions{
			GracePeriodSeconds: o.ForceGracePeriod,
			Preconditions:      &metav1.Preconditions{UID: &uid},
		})
		cancel()
		switch {
		case err == nil:
			res.Forced = append(res.Forced, ref)
			waitFor[uid] = ref
			d.emit(ctx, Event{Type: EventForceDeleted, Node: node, Pod: ref})
		case apierrors.IsNotFound(err), apierrors.IsConflict(err):
			// gone already
		default:
			res.Outcome = OutcomeFailed
			return fmt.Errorf("drain node %q: force delete pod %s: %w", node, ref, err)
		}
	}
	clk := d.clock()
	start := clk.Now()
	for {
		pods, err := d.podsOnNode(ctx, node)
		if err == nil {
			present := map[types.UID]bool{}
			for _, p := range pods {
				present[p.UID] = true
			}
			res.Remaining = nil
			for uid, ref := range waitFor {
				if present[uid] {
					res.Remaining = append(res.Remaining, ref)
				}
			}
			if len(res.Remaining) == 0 {
				return nil
			}
		} else if !retryable(err) || ctx.Err() != nil {
			res.Outcome = OutcomeFailed
			return fmt.Errorf("drain node %q: %w", node, err)
		}
		elapsed := clk.Since(start)
		if elapsed >= o.ForceWait {
			// Deleted but still terminating: reported in res.Remaining.
			return nil
		}
		if err := backoff.Sleep(ctx, clk, min(o.PollInterval, o.ForceWait-elapsed)); err != nil {
			res.Outcome = OutcomeCancelled
			return fmt.Errorf("drain node %q: %w", node, err)
		}
	}
}

// giveUp ends a drain that did not empty the node: it uncordons the node
// (unless it was cordoned before; with a fresh bounded context when ctx has
// ended) and returns cause, joined with an uncordon failure if any.
func (d *Drainer) giveUp(ctx context.Context, res *Result, outcome Outcome, cause error) error {
	res.Outcome = outcome
	if res.AlreadyCordoned {
		return cause
	}
	uctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		uctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), d.opts().CallTimeout)
		defer cancel()
	}
	if _, err := d.setUnschedulable(uctx, res.Node, false); err != nil {
		return errors.Join(cause, err)
	}
	res.Uncordoned = true
	return cause
}

// retryable reports whether a failed read is worth repeating.
func retryable(err error) bool {
	switch {
	case apierrors.IsUnauthorized(err), apierrors.IsForbidden(err), apierrors.IsBadRequest(err),
		apierrors.IsInvalid(err), apierrors.IsMethodNotSupported(err), apierrors.IsNotFound(err):
		return false
	}
	return true
}

func statusMessage(err error) string {
	var se apierrors.APIStatus
	if errors.As(err, &se) {
		return se.Status().Message
	}
	return err.Error()
}

func refs(pods []corev1.Pod) []PodRef {
	var out []PodRef
	for _, p := range pods {
		out = append(out, PodRef{p.Namespace, p.Name})
	}
	slices.SortFunc(out, comparePodRef)
	return out
}
