package source_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// TestConcurrentUsersAndStatusWriter races 50 git CLI users, each pushing a
// distinct file, against the status writer committing in a loop. Every user
// commit and every status update must land, and the repository must stay
// sound. The full 50 race over smart HTTP (the transport of the acceptance check); file:// and
// SSH run the same race with 10 users, which exercises the same code at a fifth of the time.
func TestConcurrentUsersAndStatusWriter(t *testing.T) {
	for _, mk := range allRemotes() {
		r := mk(t)
		users := 10
		if strings.HasPrefix(r.name, "http") && !testing.Short() {
			users = 50
		}
		t.Run(r.name, func(t *testing.T) {
			seed(t, r, specFiles, "add specs")
			rejections := &countingHandler{match: "push rejected"}
			s := newSource(t, r, func(o *source.Options) {
				o.Log = slog.New(rejections)
				o.PushRetry.Attempts = 200
				o.PushRetry.Base = 5 * time.Millisecond
				o.PushRetry.Max = 100 * time.Millisecond
			})
			ctx := context.Background()

			// The writer behaves like the run loop: whenever the branch moved
			// (a user pushed), it commits a status naming the head it saw.
			// Committing in a tight loop instead would starve the users.
			done := make(chan struct{})
			var statusRevs []string
			var lastWritten string
			var statusErr error
			writerDone := make(chan struct{})
			go func() {
				defer close(writerDone)
				poll := time.NewTicker(20 * time.Millisecond)
				defer poll.Stop()
				last := ""
				for i := 0; ; i++ {
					finished := false
					select {
					case <-done:
						finished = true // one last round after every user landed
					case <-poll.C:
					}
					co, err := s.Fetch(ctx)
					if err != nil {
						statusErr = fmt.Errorf("fetch %d: %w", i, err)
						return
					}
					if co.Revision != last {
						content := fmt.Sprintf("observed: %s", co.Revision)
						rev, err := s.Commit(ctx, map[string][]byte{"status/race.yaml": []byte(content + "\n")}, fmt.Sprintf("status update %d", len(statusRevs)), reconcilerAuthor)
						if err != nil {
							statusErr = fmt.Errorf("status update %d: %w", len(statusRevs), err)
							return
						}
						statusRevs = append(statusRevs, rev)
						last, lastWritten = rev, content
					}
					if finished {
						return
					}
				}
			}()

			var wg sync.WaitGroup
			errs := make(chan error, users)
			start := time.Now()
			for i := range users {
				wg.Go(func() {
					u, err := gittest.CloneErr(t.TempDir(), r.cliURL, r.cliEnv...)
					if err == nil {
						err = u.WriteErr(map[string]string{fmt.Sprintf("clusters/user-%02d.yaml", i): fmt.Sprintf("kind: Cluster\nname: user-%02d\n", i)})
					}
					if err == nil {
						_, err = u.CommitAndPushErr(fmt.Sprintf("user %02d", i), 200)
					}
					if err != nil {
						errs <- fmt.Errorf("user %02d: %w", i, err)
					}
				})
			}
			wg.Wait()
			close(errs)
			close(done)
			<-writerDone
			for err := range errs {
				t.Error(err)
			}
			if statusErr != nil {
				t.Fatal(statusErr)
			}

			log := gittest.Log(t, r.repoPath, "main")
			subjects := map[string]int{}
			for _, c := range log {
				subjects[c.Subject]++
			}
			for i := range users {
				if n := subjects[fmt.Sprintf("user %02d", i)]; n != 1 {
					t.Errorf("user %02d commit appears %d times, want 1", i, n)
				}
			}
			statusCommits := 0
			for subj, n := range subjects {
				if strings.HasPrefix(subj, "status update ") {
					statusCommits += n
				}
			}
			if statusCommits != len(statusRevs) {
				t.Errorf("status commits in log = %d, Commit returned %d revisions", statusCommits, len(statusRevs))
			}
			for _, rev := range statusRevs {
				if _, err := gittest.RunErr(r.repoPath, nil, "merge-base", "--is-ancestor", rev, "refs/heads/main"); err != nil {
					t.Errorf("status revision %s is not in main's history", rev)
				}
			}
			head := gittest.Head(t, r.repoPath, "main")
			tree := gittest.Run(t, r.repoPath, "ls-tree", "-r", "--name-only", head)
			for i := range users {
				if !strings.Contains(tree, fmt.Sprintf("clusters/user-%02d.yaml", i)) {
					t.Errorf("user %02d's file is missing at head", i)
				}
			}
			if head != statusRevs[len(statusRevs)-1] {
				t.Errorf("head = %s, want the last status commit %s", head, statusRevs[len(statusRevs)-1])
			}
			// A rejected status commit is rebuilt on a newer tip with the same
			// content, so the content names the head the writer saw, not
			// necessarily its parent.
			if got, want := gittest.Show(t, r.repoPath, head, "status/race.yaml"), lastWritten; got != want {
				t.Errorf("final status = %q, want %q", got, want)
			}
			gittest.Fsck(t, r.repoPath)
			t.Logf("%s: %d user pushes and %d status updates landed in %v; the status writer was rejected and rebuilt %d times",
				r.name, users, len(statusRevs), time.Since(start).Round(time.Millisecond), rejections.n.Load())
		})
	}
}

// countingHandler counts log records whose message contains match.
type countingHandler struct {
	match string
	n     atomic.Int64
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.match) {
		h.n.Add(1)
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }
