package source_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/gittest"
	"github.com/scaleway-gitops/reconciler/pkg/source"
)

// movingRef serves a smart-HTTP git server through a hook: before each of the next `moves`
// fetch requests (POST git-upload-pack: the ref list was already read), another writer swaps
// the lease ref to a new parentless commit over the real server, so the commit the reader listed
// is no longer reachable and upload-pack answers "not our ref".
type movingRef struct {
	t      *testing.T
	mover  *source.Source
	ref    string
	mu     sync.Mutex
	cur    string
	moves  int // moves still to make; -1: on every fetch
	moved  int
	posts  int
	server *gittest.HTTPServer
}

func (m *movingRef) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
		m.mu.Lock()
		m.posts++
		if m.moves != 0 {
			h, err := m.mover.SwapRef(context.Background(), m.ref, m.cur, fmt.Sprintf("moved %d\n", m.moved+1))
			if err != nil {
				m.t.Errorf("move the ref: %v", err)
			} else {
				m.cur = h
				m.moved++
				m.moves--
			}
		}
		m.mu.Unlock()
	}
	m.server.ServeHTTP(w, r)
}

func newMovingRef(t *testing.T, moves int) (*movingRef, *source.Source) {
	t.Helper()
	gs := gittest.NewHTTPServer(t, testToken)
	repo := gittest.NewBareRepo(t, gs.Root, "specs.git")
	gittest.Seed(t, repo, map[string]string{"clusters/a.yaml": "x"}, "seed")
	direct := remote{name: "http", repoPath: repo, url: gs.RepoURL("specs.git"), auth: source.Auth{Token: testToken}}
	m := &movingRef{t: t, mover: newSource(t, direct, nil), ref: "refs/reconciler/lease/main", server: gs}
	h, err := m.mover.SwapRef(context.Background(), m.ref, "", "first\n")
	if err != nil {
		t.Fatal(err)
	}
	m.cur = h
	m.moves = moves
	hooked := httptest.NewServer(m)
	t.Cleanup(hooked.Close)
	reader := newSource(t, remote{name: "hooked", repoPath: repo, url: hooked.URL + "/specs.git", auth: direct.auth}, nil)
	return m, reader
}

// The lease ref moves between ReadRef's listing and its fetch (another loop renewed the lease):
// ReadRef lists again and returns where the ref is now, instead of failing with "not our ref".
func TestReadRefWhenTheRefMovesBetweenListAndFetch(t *testing.T) {
	m, reader := newMovingRef(t, 2)
	got, err := reader.ReadRef(t.Context(), m.ref)
	if err != nil {
		t.Fatalf("ReadRef while the ref moved twice: %v", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.moved != 2 {
		t.Fatalf("the ref moved %d times during the read, want 2 (the race was not reproduced)", m.moved)
	}
	if got.Hash != m.cur || got.Message != "moved 2\n" {
		t.Errorf("ReadRef = %+v, want %s \"moved 2\"", got, m.cur)
	}
	gittest.Fsck(t, m.server.Root+"/specs.git")
}

// A ref that moves before every fetch: ReadRef gives up after a bounded number of attempts,
// saying the ref kept moving.
func TestReadRefGivesUpOnARefThatKeepsMoving(t *testing.T) {
	m, reader := newMovingRef(t, -1)
	_, err := reader.ReadRef(t.Context(), m.ref)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil || !strings.Contains(err.Error(), "kept moving") {
		t.Errorf("ReadRef of a ref moving before every fetch: %v, want an error saying it kept moving", err)
	}
	if m.posts < 2 || m.posts > 10 {
		t.Errorf("%d fetches, want a few retries, bounded", m.posts)
	}
}
