package kubetest

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// ReadyWatch follows the pods matching a selector through a watch and
// records, after every event, how many are Ready (and not terminating): the
// minimum seen is what a PodDisruptionBudget must protect.
type ReadyWatch struct {
	mu     sync.Mutex
	ready  map[types.UID]bool
	min    int
	events int
	err    error
	cancel context.CancelFunc
	done   chan struct{}
}

// WatchReady starts watching; it stops when the test ends or Stop is called.
func WatchReady(t TB, c kubernetes.Interface, namespace, selector string) *ReadyWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	list, err := c.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		cancel()
		t.Fatalf("kubetest: watch ready: %v", err)
	}
	w := &ReadyWatch{ready: map[types.UID]bool{}, cancel: cancel, done: make(chan struct{})}
	for i := range list.Items {
		w.ready[list.Items[i].UID] = IsPodReady(&list.Items[i])
	}
	w.min = w.count()
	wi, err := c.CoreV1().Pods(namespace).Watch(ctx, metav1.ListOptions{LabelSelector: selector, ResourceVersion: list.ResourceVersion})
	if err != nil {
		cancel()
		t.Fatalf("kubetest: watch ready: %v", err)
	}
	go func() {
		defer close(w.done)
		defer wi.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-wi.ResultChan():
				if !ok {
					if ctx.Err() == nil {
						w.fail(fmt.Errorf("watch closed early"))
					}
					return
				}
				w.apply(ev)
			}
		}
	}()
	t.Cleanup(w.Stop)
	return w
}

func (w *ReadyWatch) apply(ev watch.Event) {
	p, ok := ev.Object.(*corev1.Pod)
	if !ok {
		w.fail(fmt.Errorf("watch event %s: %T", ev.Type, ev.Object))
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events++
	if ev.Type == watch.Deleted {
		delete(w.ready, p.UID)
	} else {
		w.ready[p.UID] = IsPodReady(p)
	}
	w.min = min(w.min, w.count())
}

func (w *ReadyWatch) count() int {
	n := 0
	for _, r := range w.ready {
		if r {
			n++
		}
	}
	return n
}

func (w *ReadyWatch) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// Stop ends the watch.
func (w *ReadyWatch) Stop() { w.cancel(); <-w.done }

// Min is the fewest Ready pods seen at any time; Ready the number now;
// Events how many changes were seen; Err a watch failure (then Min is
// unreliable).
func (w *ReadyWatch) Min() int    { w.mu.Lock(); defer w.mu.Unlock(); return w.min }
func (w *ReadyWatch) Ready() int  { w.mu.Lock(); defer w.mu.Unlock(); return w.count() }
func (w *ReadyWatch) Events() int { w.mu.Lock(); defer w.mu.Unlock(); return w.events }
func (w *ReadyWatch) Err() error  { w.mu.Lock(); defer w.mu.Unlock(); return w.err }
