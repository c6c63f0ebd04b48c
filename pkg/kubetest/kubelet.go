package kubetest

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// The API server has no kubelet, scheduler or controllers but the
// disruption controller: these helpers write what they would.

// TaintNotReady is the taint the API server's TaintNodesByCondition
// admission puts on every new node until it is Ready (the node lifecycle
// controller, absent here, would remove it).
const TaintNotReady = "node.kubernetes.io/not-ready"

// CreateReadyNode registers a node and marks it Ready.
func CreateReadyNode(ctx context.Context, c kubernetes.Interface, name string, labels map[string]string) (*corev1.Node, error) {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if _, err := c.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("create node %q: %w", name, err)
	}
	return SetNodeReady(ctx, c, name, true)
}

// SetNodeReady writes the node's Ready condition and adds or removes the
// not-ready taint to match, as a kubelet plus node lifecycle controller would.
func SetNodeReady(ctx context.Context, c kubernetes.Interface, name string, ready bool) (*corev1.Node, error) {
	var out *corev1.Node
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		n, err := c.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		now := metav1.Now()
		cond := corev1.NodeCondition{Type: corev1.NodeReady, Status: status, Reason: "KubetestKubelet",
			LastHeartbeatTime: now, LastTransitionTime: now}
		n.Status.Conditions = slices.DeleteFunc(n.Status.Conditions, func(c corev1.NodeCondition) bool { return c.Type == corev1.NodeReady })
		n.Status.Conditions = append(n.Status.Conditions, cond)
		if n, err = c.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
			return err
		}
		hasTaint := slices.ContainsFunc(n.Spec.Taints, func(t corev1.Taint) bool { return t.Key == TaintNotReady })
		switch {
		case ready && hasTaint:
			n.Spec.Taints = slices.DeleteFunc(n.Spec.Taints, func(t corev1.Taint) bool { return t.Key == TaintNotReady })
		case !ready && !hasTaint:
			n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: TaintNotReady, Effect: corev1.TaintEffectNoSchedule})
		default:
			out = n
			return nil
		}
		out, err = c.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("set node %q ready=%t: %w", name, ready, err)
	}
	return out, nil
}

// PodSpec describes a pod RunPod creates.
type PodSpec struct {
	Namespace, Name string
	// GenerateName is used when Name is empty.
	GenerateName string
	Node         string
	Labels       map[string]string
	Annotations  map[string]string
	Owner        *metav1.OwnerReference // controller owner, optional
	// GracePeriod is terminationGracePeriodSeconds; nil keeps the default 30.
	GracePeriod *int64
}

// RunPod creates a pod bound to spec.Node and marks it Running and Ready.
func RunPod(ctx context.Context, c kubernetes.Interface, s PodSpec) (*corev1.Pod, error) {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: s.Namespace, Name: s.Name, GenerateName: s.GenerateName,
			Labels: s.Labels, Annotations: s.Annotations},
		Spec: corev1.PodSpec{
			NodeName:                      s.Node,
			TerminationGracePeriodSeconds: s.GracePeriod,
			Containers:                    []corev1.Container{{Name: "main", Image: "registry.k8s.io/pause:3.10"}},
		},
	}
	if s.Owner != nil {
		p.OwnerReferences = []metav1.OwnerReference{*s.Owner}
	}
	p, err := c.CoreV1().Pods(s.Namespace).Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("create pod %s/%s: %w", s.Namespace, s.Name+s.GenerateName, err)
	}
	return MarkPodReady(ctx, c, p)
}

// MarkPodReady writes a Running phase and True Ready conditions.
func MarkPodReady(ctx context.Context, c kubernetes.Interface, p *corev1.Pod) (*corev1.Pod, error) {
	now := metav1.Now()
	p = p.DeepCopy()
	p.Status.Phase = corev1.PodRunning
	p.Status.StartTime = &now
	p.Status.Conditions = nil
	for _, t := range []corev1.PodConditionType{corev1.PodScheduled, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now})
	}
	out, err := c.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("mark pod %s/%s ready: %w", p.Namespace, p.Name, err)
	}
	return out, nil
}

// IsPodReady reports a live pod with a True Ready condition.
func IsPodReady(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// FinalizeTerminating removes the pods matching selector in namespace that
// are terminating (delete with grace 0, as a kubelet does once containers
// stopped) and returns how many it removed.
func FinalizeTerminating(ctx context.Context, c kubernetes.Interface, namespace, selector string) (int, error) {
	list, err := c.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return 0, fmt.Errorf("list pods: %w", err)
	}
	n := 0
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			continue
		}
		uid := p.UID
		err := c.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{
			GracePeriodSeconds: new(int64), Preconditions: &metav1.Preconditions{UID: &uid}})
		switch {
		case err == nil:
			n++
		case apierrors.IsNotFound(err), apierrors.IsConflict(err):
		default:
			return n, fmt.Errorf("finalize pod %s/%s: %w", p.Namespace, p.Name, err)
		}
	}
	return n, nil
}
