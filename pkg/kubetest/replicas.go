package kubetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// Replicas plays a ReplicaSet controller + scheduler + kubelet for one set
// of pods: every Interval it finalizes its terminating pods and, while
// fewer than Count live pods exist, starts new Ready ones on the
// schedulable Ready node holding the fewest of them.
type Replicas struct {
	Client    kubernetes.Interface
	Namespace string
	Prefix    string // generateName prefix of new pods
	Labels    map[string]string
	Count     int
	Owner     *metav1.OwnerReference
	// NodeLabels, when set, restricts new pods to nodes carrying them.
	NodeLabels map[string]string
	Interval   time.Duration // default 50ms

	mu      sync.Mutex
	created []string
	errs    []error
}

// Keep runs the loop until the test ends or stop is called.
func (r *Replicas) Keep(t TB) (stop func()) {
	t.Helper()
	if r.Interval <= 0 {
		r.Interval = 50 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(r.Interval)
		defer tick.Stop()
		for {
			if err := r.step(ctx); err != nil && ctx.Err() == nil {
				r.mu.Lock()
				r.errs = append(r.errs, err)
				r.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// Created lists the pods the loop started, in order.
func (r *Replicas) Created() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.created)
}

// Errors returns what went wrong in the loop so far.
func (r *Replicas) Errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}

func (r *Replicas) step(ctx context.Context) error {
	sel := labels.SelectorFromSet(r.Labels).String()
	if _, err := FinalizeTerminating(ctx, r.Client, r.Namespace, sel); err != nil {
		return err
	}
	pods, err := r.Client.CoreV1().Pods(r.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return fmt.Errorf("list pods: %w", err)
	}
	perNode := map[string]int{}
	live := 0
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			live++
			perNode[p.Spec.NodeName]++
		}
	}
	for ; live < r.Count; live++ {
		node, err := r.pickNode(ctx, perNode)
		if err != nil || node == "" {
			return err // no room now; try again next tick
		}
		p, err := RunPod(ctx, r.Client, PodSpec{Namespace: r.Namespace, GenerateName: r.Prefix, Node: node, Labels: r.Labels, Owner: r.Owner})
		if err != nil {
			return err
		}
		perNode[node]++
		r.mu.Lock()
		r.created = append(r.created, p.Name+"@"+node)
		r.mu.Unlock()
	}
	return nil
}

// pickNode returns the schedulable Ready node with the fewest of our pods
// (ties by name), or "" when there is none.
func (r *Replicas) pickNode(ctx context.Context, perNode map[string]int) (string, error) {
	nodes, err := r.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(r.NodeLabels).String()})
	if err != nil {
		return "", fmt.Errorf("list nodes: %w", err)
	}
	best, bestN := "", 0
	for _, n := range nodes.Items {
		if n.Spec.Unschedulable || !nodeReady(&n) {
			continue
		}
		if c := perNode[n.Name]; best == "" || c < bestN || c == bestN && n.Name < best {
			best, bestN = n.Name, c
		}
	}
	return best, nil
}

func nodeReady(n *corev1.Node) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == TaintNotReady {
			return false
		}
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
