package shardrun

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/scaleway-gitops/reconciler/pkg/shard"
)

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// A round at once and one per period; a change of the shards held is logged and announced once;
// a failed round is logged and retried; cancellation releases and returns the release's error.
func TestRounds(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	rounds, changes := 0, 0
	held := shard.Set{Count: 2}
	var log syncBuf
	released := errors.New("released")
	ctx, cancel := context.WithCancel(context.Background())
	r := Rounds{Clock: clk, Period: time.Second,
		Held: func() shard.Set {
			mu.Lock()
			defer mu.Unlock()
			return shard.Set{Count: held.Count, Held: append([]int(nil), held.Held...)}
		},
		Round: func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			rounds++
			switch rounds {
			case 2:
				held.Held = []int{1} // takes shard 1
			case 3:
				return errors.New("api down")
			}
			return nil
		},
		Release:  func(context.Context) error { return released },
		Log:      slog.New(slog.NewTextHandler(&log, nil)),
		Who:      slog.String("holder", "r1"),
		OnChange: func() { mu.Lock(); changes++; mu.Unlock() },
	}
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	count := func() int { mu.Lock(); defer mu.Unlock(); return rounds }
	for want := 1; want <= 4; want++ {
		for count() < want {
			if !clk.HasWaiters() {
				runtime.Gosched() // let the loop reach its timer
				continue
			}
			clk.Step(time.Second)
		}
	}
	cancel()
	if err := <-done; err != released {
		t.Errorf("Run = %v, want the release's error", err)
	}
	mu.Lock()
	defer mu.Unlock()
	out := log.String()
	if changes != 1 || strings.Count(out, "shards held") != 1 || !strings.Contains(out, "shards=1/2 holder=r1") || !strings.Contains(out, "shard round failed") {
		t.Errorf("changes %d, log:\n%s", changes, out)
	}
}
