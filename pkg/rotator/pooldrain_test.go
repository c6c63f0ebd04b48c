package rotator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
)

// cordoningDrainer is a fakeDrainer that can cordon, as KubeDrainer can.
type cordoningDrainer struct{ blockingDrainer }

func (d cordoningDrainer) Cordon(_ context.Context, node string) error {
	*d.events = append(*d.events, "cordon "+node)
	return nil
}

func (d cordoningDrainer) Ping(context.Context) error {
	*d.events = append(*d.events, "ping")
	return nil
}

// As apply's PoolDrainer the NodeRotator reuses one Drainer per cluster, passes the pool's drain
// policy, and reports a held drain (skip or abort) as *apply.DrainHeldError naming the budgets,
// without uncordoning the node itself.
func TestNodeRotatorAsPoolDrainer(t *testing.T) {
	r, _, d, events, _, _ := setup(0)
	built := 0
	r.NewDrainer = func([]byte) (Drainer, error) {
		built++
		return cordoningDrainer{blockingDrainer{d, []string{"shop/web"}}}, nil
	}
	d.drainErr["scw-old-2"] = fmt.Errorf("drain node: timed out: %w", ErrDrainSkipped)
	d.drainErr["scw-old-3"] = errors.New("list pods: forbidden")
	nr := &NodeRotator{Rotator: r}
	ctx, tg := context.Background(), apply.DrainTarget{Region: "fr-par", ClusterID: "c-1", Pool: "p"}
	pol := apply.DrainPolicy{Timeout: 10 * time.Minute, OnTimeout: "skip"}

	if err := nr.Reachable(ctx, tg); err != nil {
		t.Fatal(err)
	}
	if err := nr.WaitNodeReady(ctx, tg, "scw-new-1", time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"scw-old-1", "scw-old-2"} {
		if err := nr.Cordon(ctx, tg, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := nr.Uncordon(ctx, tg, "scw-old-2"); err != nil {
		t.Fatal(err)
	}
	if err := nr.Drain(ctx, tg, "scw-old-1", pol); err != nil {
		t.Fatalf("drain: %v", err)
	}
	var held *apply.DrainHeldError
	if err := nr.Drain(ctx, tg, "scw-old-2", pol); !errors.As(err, &held) || held.Reason != "blocked by PodDisruptionBudget shop/web" || held.OnTimeout != "skip" {
		t.Errorf("held drain: %v", err)
	}
	if err := nr.Drain(ctx, tg, "scw-old-3", pol); err == nil || errors.As(err, &held) && held.Node == "scw-old-3" || !strings.Contains(err.Error(), "forbidden") {
		t.Errorf("failed drain: %v", err)
	}
	want := "[ping k8s-ready scw-new-1 cordon scw-old-1 cordon scw-old-2 uncordon scw-old-2 drain scw-old-1 (10m0s, skip) drain scw-old-2 (10m0s, skip) drain scw-old-3 (10m0s, skip)]"
	if fmt.Sprint(*events) != want {
		t.Errorf("events:\n got %v\nwant %s", *events, want)
	}
	if built != 1 {
		t.Errorf("drainer built %d times, want once per cluster", built)
	}

	// A Drainer that cannot cordon is refused rather than drained uncordoned.
	r.NewDrainer = func([]byte) (Drainer, error) { return d, nil }
	nr = &NodeRotator{Rotator: r}
	if err := nr.Cordon(ctx, tg, "scw-old-1"); err == nil {
		t.Error("cordon through a drainer that cannot cordon succeeded")
	}
}
