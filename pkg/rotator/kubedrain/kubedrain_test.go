package kubedrain

import (
	"context"
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/scaleway-gitops/reconciler/pkg/drain"
	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
	"github.com/scaleway-gitops/reconciler/pkg/rotator"
)

// Against a real API server: a PDB that allows no disruption makes each
// policy come out as the rotator's sentinel (or success, for force).
func TestAdapterMapsTimeoutPolicies(t *testing.T) {
	env := kubetest.Start(t, kubetest.Options{})
	ctx := context.Background()
	clk := testingclock.NewFakeClock(time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC))
	kubetest.DriveClock(t, clk, 5*time.Second)
	newDrainer := Factory(clk, nil, drain.Options{RetryDelay: 5 * time.Second, ForceGracePeriod: ptr.To[int64](0)})
	rd, err := newDrainer(env.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		on   string
		want error
	}{{"skip", rotator.ErrDrainSkipped}, {"abort", rotator.ErrDrainAborted}, {"force", nil}} {
		node := "n-" + tc.on
		blockedPod(t, env.Client, node)
		rep, err := rd.Drain(ctx, node, rotator.DrainOptions{Timeout: 10 * time.Minute, OnTimeout: tc.on})
		if !errors.Is(err, tc.want) || (tc.want != nil && !drain.IsDrainTimeout(err)) {
			t.Errorf("%s: err = %v, want %v wrapping the drain timeout", tc.on, err, tc.want)
		}
		if len(rep.Blocking) != 1 || rep.Blocking[0] != node+"/pdb" {
			t.Errorf("%s: Blocking = %v, want [%s/pdb]", tc.on, rep.Blocking, node)
		}
		if tc.on == "force" && rep.Deleted != 1 {
			t.Errorf("force: Deleted = %d, want 1", rep.Deleted)
		}
	}
	if _, err := rd.Drain(ctx, "n-skip", rotator.DrainOptions{Timeout: time.Minute, OnTimeout: "later"}); err == nil {
		t.Error("an unknown onDrainTimeout must be refused")
	}
}

// blockedPod creates namespace and node `name` with one Ready pod under a
// PDB that allows no disruption.
func blockedPod(t *testing.T, c kubernetes.Interface, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := kubetest.CreateReadyNode(ctx, c, name, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := kubetest.RunPod(ctx, c, kubetest.PodSpec{Namespace: name, Name: "p", Node: name, Labels: map[string]string{"app": "p"}}); err != nil {
		t.Fatal(err)
	}
	pdb := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Namespace: name, Name: "pdb"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "p"}}},
	}
	if _, err := c.PolicyV1().PodDisruptionBudgets(name).Create(ctx, pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		p, err := c.PolicyV1().PodDisruptionBudgets(name).Get(ctx, "pdb", metav1.GetOptions{})
		if err == nil && p.Status.ObservedGeneration == p.Generation && p.Status.CurrentHealthy == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("PDB status not computed within 1m")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
