package runner

import (
	"github.com/scaleway-gitops/reconciler/pkg/checkout"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/spec"
)

func repoWithWindows(t *testing.T, rotation, upgrade string) *spec.Repo {
	t.Helper()
	doc := `apiVersion: reconciler.scaleway.dev/v1alpha1
kind: Cluster
metadata: {name: c}
spec:
  region: fr-par
  projectID: 11111111-2222-4333-8444-555555555555
  version: "1.35"
  privateNetworkID: 5b1e7f0a-3c2d-4e5f-8a9b-0c1d2e3f4a5b
  upgrade: {window: {schedule: "` + upgrade + `", duration: 4h, timeZone: Europe/Paris}}
  pools:
    - name: a
      nodeType: PRO2-S
      size: 1
      rotation: {window: {schedule: "` + rotation + `", duration: 3h, timeZone: Europe/Paris}}
    - name: b
      nodeType: PRO2-S
      size: 1
      rotation: {window: {schedule: "` + rotation + `", duration: 3h, timeZone: Europe/Paris}}
`
	repo, err := spec.Load(fstest.MapFS{"clusters/c.yaml": {Data: []byte(doc)}})
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

func TestSchedulerFollowsTheRevisionInForce(t *testing.T) {
	r := &Runner{}
	s := &Scheduler{Runner: r}
	defer s.Stop()
	if err := s.Sync(); err != nil || len(s.Entries()) != 0 {
		t.Fatalf("no revision: entries %v err %v", s.Entries(), err)
	}
	r.state.good = &goodRevision{checkout: &checkout.Checkout{}, repo: repoWithWindows(t, "0 3 * * SUN", "0 2 * * SAT")}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	want := []string{"CRON_TZ=Europe/Paris 0 2 * * SAT", "CRON_TZ=Europe/Paris 0 3 * * SUN"}
	if got := s.Entries(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("entries = %q, want %q (two pools share one entry)", got, want)
	}
	first := s.cron
	if err := s.Sync(); err != nil || s.cron != first {
		t.Fatal("an unchanged revision must keep its cron")
	}
	r.state.good.repo = repoWithWindows(t, "0 4 * * MON-FRI", "0 2 * * SAT")
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if got := s.Entries(); got[1] != "CRON_TZ=Europe/Paris 0 4 * * MON-FRI" || s.cron == first {
		t.Fatalf("entries after a window change = %q", got)
	}
}

func TestWindowOpenCallsForAPass(t *testing.T) {
	repo := repoWithWindows(t, "0 3 * * SUN", "0 2 * * SAT")
	paris, _ := time.LoadLocation("Europe/Paris")
	cases := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 11, 29, 4, 0, 0, 0, paris), true},  // Sunday 04:00, rotation window
		{time.Date(2026, 11, 28, 5, 59, 0, 0, paris), true}, // Saturday 05:59, upgrade window
		{time.Date(2026, 11, 28, 6, 0, 0, 0, paris), false}, // Saturday 06:00, closed
		{time.Date(2026, 11, 30, 4, 0, 0, 0, paris), false}, // Monday
	}
	for _, c := range cases {
		if got := windowOpen(repo, c.at); got != c.want {
			t.Errorf("windowOpen(%s) = %v, want %v", c.at, got, c.want)
		}
	}
}

func TestTriggerNeverWaitsForATick(t *testing.T) {
	r := &Runner{}
	r.mu.Lock() // a long tick in progress
	defer r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		r.Trigger("webhook")
		r.Trigger("webhook") // merged with the pending one, still without blocking
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Trigger blocked while a tick held the runner")
	}
	if got := <-r.wake; got != "webhook" {
		t.Errorf("pending trigger = %q", got)
	}
}
