package kubelease_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/scaleway-gitops/reconciler/pkg/kubelease"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
)

var _ runner.Sharding = (*kubelease.ShardSet)(nil)

type member struct {
	*kubelease.ShardSet
	stop context.CancelFunc
	done chan struct{}
}

// heldBy lists the shards each member holds, and fails when two hold one.
func heldBy(t *testing.T, ms []*member) [][]int {
	t.Helper()
	out := make([][]int, len(ms))
	owner := map[int]int{}
	for i, m := range ms {
		if m == nil {
			continue
		}
		out[i] = m.Shards().Held
		for _, k := range out[i] {
			if j, dup := owner[k]; dup {
				t.Fatalf("shard %d held by members %d and %d", k, j, i)
			}
			owner[k] = i
		}
	}
	return out
}

// Three replicas share three shard Leases one each on a real kube-apiserver, never one shard
// two; when one stops, its shard is taken by another at once (released), and when a fourth
// joins nobody holds more than its share.
func TestShardsShareTheLeases(t *testing.T) {
	env := kubetest.Start(t, kubetest.Options{NoControllerManager: true})
	start := func(id string) *member {
		s, err := kubelease.NewShards(kubelease.ShardConfig{Client: env.Client, Namespace: metav1.NamespaceDefault,
			Name: "fleet", Shards: 3, Identity: id, LeaseDuration: testLease, RenewDeadline: testRenew, RetryPeriod: testRetry})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		m := &member{ShardSet: s, stop: cancel, done: make(chan struct{})}
		go func() {
			defer close(m.done)
			if err := s.Run(ctx); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		}()
		t.Cleanup(func() { cancel(); <-m.done })
		return m
	}
	// A member Lease of a replica dead long ago: the others delete it.
	leases := env.Client.CoordinationV1().Leases(metav1.NamespaceDefault)
	old := metav1.NewMicroTime(time.Now().Add(-time.Hour))
	if _, err := leases.Create(context.Background(), &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet-member-dead", Labels: map[string]string{kubelease.GroupLabel: "fleet"}},
		Spec:       coordinationv1.LeaseSpec{HolderIdentity: ptr.To("dead"), RenewTime: &old, LeaseDurationSeconds: ptr.To(int32(2))},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	memberLeases := func() []string {
		list, err := leases.List(context.Background(), metav1.ListOptions{LabelSelector: kubelease.GroupLabel + "=fleet"})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range list.Items {
			if strings.HasPrefix(l.Name, "fleet-member-") {
				out = append(out, l.Name)
			}
		}
		return out
	}
	ms := []*member{start("a"), start("b"), start("c")}
	oneEach := func() bool {
		for _, h := range heldBy(t, ms) {
			if len(h) != 1 {
				return false
			}
		}
		return true
	}
	waitFor(t, "one shard each", 20*time.Second, oneEach)
	t.Logf("split: %v", heldBy(t, ms))

	ms[1].stop()
	<-ms[1].done
	ms[1] = nil
	took := waitFor(t, "b's shard taken over", 10*time.Second, func() bool {
		n := 0
		for _, h := range heldBy(t, ms) {
			n += len(h)
		}
		return n == 3
	})
	t.Logf("b's shard taken in %s: %v", took, heldBy(t, ms))
	if m := memberLeases(); len(m) != 2 || slices.Contains(m, "fleet-member-dead") {
		t.Errorf("member Leases %v, want a's and c's only (b's deleted on shutdown, the dead one collected)", m)
	}

	ms = append(ms, start("d"))
	waitFor(t, "d gets a share", 20*time.Second, func() bool {
		h := heldBy(t, ms)
		return len(h[3]) == 1 && len(h[0])+len(h[2]) == 2
	})
	for i, h := range heldBy(t, ms) {
		if len(h) > 1 {
			t.Errorf("member %d holds %v, more than its share", i, h)
		}
	}
	lease, err := env.Client.CoordinationV1().Leases(metav1.NamespaceDefault).Get(context.Background(), "fleet-shard-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if id := *lease.Spec.HolderIdentity; !slices.Contains([]string{"a", "c", "d"}, id) {
		t.Errorf("fleet-shard-0 held by %q", id)
	}
}
