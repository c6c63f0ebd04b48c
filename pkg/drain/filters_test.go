package drain

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

func ownedBy(kind, name string) []metav1.OwnerReference {
	return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, UID: types.UID("u-" + name), Controller: ptr.To(true)}}
}

func TestDecide(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	tests := []struct {
		name string
		pod  corev1.Pod
		want Decision
	}{
		{
			name: "replicaset pod is evicted quietly",
			pod:  corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1", OwnerReferences: ownedBy("ReplicaSet", "web")}},
			want: Decision{Evict: true, Reason: ReasonEvict},
		},
		{
			name: "bare pod is evicted with a warning",
			pod:  corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bare"}},
			want: Decision{Evict: true, Reason: ReasonEvict, Message: "not managed by a controller: it will not be recreated"},
		},
		{
			name: "daemonset pod is skipped",
			pod:  corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "agent-x", OwnerReferences: ownedBy("DaemonSet", "agent")}},
			want: Decision{Reason: ReasonDaemonSet, Message: "owned by DaemonSet agent"},
		},
		{
			name: "non-controller daemonset owner does not count",
			pod: corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "odd", OwnerReferences: []metav1.OwnerReference{
				{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: "u"},
				{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs", UID: "v", Controller: ptr.To(true)},
			}}},
			want: Decision{Evict: true, Reason: ReasonEvict},
		},
		{
			name: "mirror pod is skipped before anything else",
			pod: corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "etcd-n1", Annotations: map[string]string{MirrorPodAnnotation: "abc"},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "n1", UID: "n", Controller: ptr.To(true)}}}},
			want: Decision{Reason: ReasonMirror, Message: "static pod mirror, managed by the kubelet"},
		},
		{
			name: "terminating pod is skipped",
			pod:  corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "t", DeletionTimestamp: &now, OwnerReferences: ownedBy("ReplicaSet", "web")}},
			want: Decision{Reason: ReasonTerminating, Message: "already terminating"},
		},
		{
			name: "succeeded pod is skipped",
			pod:  corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "job-1", OwnerReferences: ownedBy("Job", "job")}, Status: corev1.PodStatus{Phase: corev1.PodSucceeded}},
			want: Decision{Reason: ReasonCompleted, Message: "phase Succeeded"},
		},
		{
			name: "failed pod is skipped",
			pod:  corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "job-2"}, Status: corev1.PodStatus{Phase: corev1.PodFailed}},
			want: Decision{Reason: ReasonCompleted, Message: "phase Failed"},
		},
		{
			name: "running pod is evicted",
			pod:  corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "r", OwnerReferences: ownedBy("StatefulSet", "db")}, Status: corev1.PodStatus{Phase: corev1.PodRunning}},
			want: Decision{Evict: true, Reason: ReasonEvict},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.pod, DefaultFilters())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecideCustomFilterChain(t *testing.T) {
	keep := func(p corev1.Pod) Decision {
		if p.Labels["keep"] == "yes" {
			return Decision{Reason: "kept", Message: "label keep=yes"}
		}
		return Decision{Evict: true, Reason: ReasonEvict}
	}
	filters := append([]PodFilter{keep}, DefaultFilters()...)
	kept := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "a", Labels: map[string]string{"keep": "yes"}, OwnerReferences: ownedBy("DaemonSet", "ds")}}
	if got := Decide(kept, filters); got.Evict || got.Reason != "kept" {
		t.Errorf("first refusing filter must win, got %+v", got)
	}
	other := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "b", OwnerReferences: ownedBy("DaemonSet", "ds")}}
	if got := Decide(other, filters); got.Evict || got.Reason != ReasonDaemonSet {
		t.Errorf("later filters must still run, got %+v", got)
	}
	if got := Decide(other, []PodFilter{}); !got.Evict {
		t.Errorf("an empty chain evicts everything, got %+v", got)
	}
}

func TestParseOnTimeout(t *testing.T) {
	for in, want := range map[string]OnTimeout{"": OnTimeoutSkip, "skip": OnTimeoutSkip, "force": OnTimeoutForce, "abort": OnTimeoutAbort} {
		got, err := ParseOnTimeout(in)
		if err != nil || got != want {
			t.Errorf("ParseOnTimeout(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseOnTimeout("Skip"); err == nil {
		t.Error(`ParseOnTimeout("Skip") must fail: values are case-sensitive`)
	}
}
