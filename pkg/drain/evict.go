package drain

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// evictOutcome classifies one eviction call.
type evictOutcome int

const (
	evictAccepted evictOutcome = iota // 201: the pod is terminating
	evictGone                         // the pod (this UID) no longer exists
	evictRefused                      // 429: a PDB would be violated
	evictRetry                        // any other error worth retrying until the timeout
	evictFatal                        // the drain cannot succeed (authz, API missing, bad request)
)

// evict asks the Eviction API to evict pod. No grace period is passed, so
// the pod's own terminationGracePeriodSeconds applies; the UID precondition
// keeps a same-named replacement from being evicted by mistake.
func (d *Drainer) evict(ctx context.Context, pod *corev1.Pod) (evictOutcome, error) {
	cctx, cancel := d.callCtx(ctx)
	defer cancel()
	uid := pod.UID
	ev := &policyv1.Eviction{
		ObjectMeta:    metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace},
		DeleteOptions: &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}},
	}
	err := d.Client.CoreV1().Pods(pod.Namespace).EvictV1(cctx, ev)
	return classifyEviction(ctx, err), err
}

// classifyEviction maps an Eviction API error to what the drain does next.
func classifyEviction(parent context.Context, err error) evictOutcome {
	switch {
	case err == nil:
		return evictAccepted
	case parent.Err() != nil:
		return evictFatal // the caller's context ended; the loop reports it
	case apierrors.IsNotFound(err), apierrors.IsConflict(err):
		// Conflict: the UID precondition failed, so the pod we listed is gone.
		return evictGone
	case apierrors.IsTooManyRequests(err):
		return evictRefused
	case apierrors.IsForbidden(err) && apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
		// The namespace controller is deleting the pod anyway.
		return evictRetry
	case apierrors.IsUnauthorized(err), apierrors.IsForbidden(err),
		apierrors.IsMethodNotSupported(err), apierrors.IsBadRequest(err), apierrors.IsInvalid(err):
		return evictFatal
	case errors.Is(err, context.DeadlineExceeded):
		return evictRetry // this call's own deadline (e.g. Retry-After retries)
	default:
		// 500 (e.g. a pod under several PDBs), 503, timeouts, connection errors.
		return evictRetry
	}
}
