package drain

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Reason says why a pod is (not) evicted. The names are stable: they appear
// in results, logs and reports.
type Reason string

const (
	ReasonEvict       Reason = "evict"       // evicted through the Eviction API
	ReasonDaemonSet   Reason = "daemonset"   // owned by a DaemonSet: it would come back on the node
	ReasonMirror      Reason = "mirror"      // a static pod's mirror: the kubelet owns it
	ReasonTerminating Reason = "terminating" // already being deleted by someone else
	ReasonCompleted   Reason = "completed"   // Succeeded or Failed: nothing runs
)

// MirrorPodAnnotation marks the API mirror of a kubelet static pod.
const MirrorPodAnnotation = corev1.MirrorPodAnnotationKey

// Decision is a filter's verdict on one pod (kubectl's PodDeleteStatus).
type Decision struct {
	Evict   bool
	Reason  Reason
	Message string // why, for people; for evicted pods an optional warning
}

// PodFilter decides about one pod. Filters run in order; the first one that
// says Evict=false wins.
type PodFilter func(pod corev1.Pod) Decision

// DefaultFilters is the chain a Drainer uses unless Options.Filters is set.
func DefaultFilters() []PodFilter {
	return []PodFilter{MirrorFilter, DaemonSetFilter, TerminatingFilter, CompletedFilter, UnmanagedWarning}
}

// Decide runs filters over pod. With no objection the pod is evicted; a
// message from an approving filter (a warning) is kept.
func Decide(pod corev1.Pod, filters []PodFilter) Decision {
	out := Decision{Evict: true, Reason: ReasonEvict}
	for _, f := range filters {
		d := f(pod)
		if !d.Evict {
			return d
		}
		if out.Message == "" {
			out.Message = d.Message
		}
	}
	return out
}

func evict() Decision { return Decision{Evict: true, Reason: ReasonEvict} }

// MirrorFilter skips mirror pods of static pods.
func MirrorFilter(pod corev1.Pod) Decision {
	if _, ok := pod.Annotations[MirrorPodAnnotation]; ok {
		return Decision{Reason: ReasonMirror, Message: "static pod mirror, managed by the kubelet"}
	}
	return evict()
}

// DaemonSetFilter skips pods whose controller is a DaemonSet.
func DaemonSetFilter(pod corev1.Pod) Decision {
	if c := metav1.GetControllerOf(&pod); c != nil && c.Kind == "DaemonSet" {
		return Decision{Reason: ReasonDaemonSet, Message: "owned by DaemonSet " + c.Name}
	}
	return evict()
}

// TerminatingFilter skips pods that are already being deleted.
func TerminatingFilter(pod corev1.Pod) Decision {
	if pod.DeletionTimestamp != nil {
		return Decision{Reason: ReasonTerminating, Message: "already terminating"}
	}
	return evict()
}

// CompletedFilter skips pods that have finished.
func CompletedFilter(pod corev1.Pod) Decision {
	switch pod.Status.Phase {
	case corev1.PodSucceeded, corev1.PodFailed:
		return Decision{Reason: ReasonCompleted, Message: "phase " + string(pod.Status.Phase)}
	}
	return evict()
}

// UnmanagedWarning evicts pods without a controller but warns that nothing
// will recreate them.
func UnmanagedWarning(pod corev1.Pod) Decision {
	if metav1.GetControllerOf(&pod) == nil {
		return Decision{Evict: true, Reason: ReasonEvict, Message: "not managed by a controller: it will not be recreated"}
	}
	return evict()
}
