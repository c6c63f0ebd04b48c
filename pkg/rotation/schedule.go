package rotation

import (
	"cmp"
	"slices"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/window"
)

// placement is where the soft schedule puts one node.
type placement struct {
	scheduled bool // false: the node takes no part (not ready, or not due within the horizon)
	opening   int  // index in schedule.openings; -1: no opening in range
	forced    bool // placed at the first opening after its deadline, outside the level
}

// schedule is the soft rotation schedule of one pool at one instant (see doc.go).
type schedule struct {
	openings []window.Interval
	current  bool // openings[0] contains now
	used     int  // nodes created inside the current opening up to now
	level    int  // L: the per-opening load the soft placement keeps to
	late     int  // nodes forced past their deadline or with no opening at all
	slots    []placement
}

type schedEntry struct {
	idx       int // index in the pool's Nodes
	name      string
	created   time.Time
	due, hard time.Time
}

// scheduleSpan is how far ahead of now a schedule needs openings: the latest deadline a node due
// within the horizon can have.
func scheduleSpan(p Policy, horizon time.Duration) time.Duration {
	return horizon + p.Deadline - p.MaxAge
}

// buildSchedule places the pool's ready nodes that are due before now+horizon. ops are the
// openings from now on (the first may contain now), covering at least scheduleSpan. conc is the
// concurrency limit, the highest level allowed.
func buildSchedule(ops []window.Interval, p Policy, conc int, nodes []cloud.Node, now time.Time, horizon time.Duration) *schedule {
	s := &schedule{slots: make([]placement, len(nodes)), openings: ops}
	// Inside an opening the look-ahead starts at the opening's start, so that every pass of the
	// opening sees the same nodes (a look-ahead moving with now would let younger nodes in and
	// change the level mid-opening).
	anchor := now
	if len(ops) > 0 && !ops[0].Start.After(now) {
		anchor = ops[0].Start
	}
	until := anchor.Add(horizon)
	var cands []schedEntry
	for i, n := range nodes {
		due := n.CreatedAt.Add(p.MaxAge)
		if n.Status != statusReady || due.After(until) {
			continue
		}
		cands = append(cands, schedEntry{idx: i, name: n.Name, created: n.CreatedAt, due: due, hard: n.CreatedAt.Add(p.Deadline)})
	}
	slices.SortFunc(cands, func(a, b schedEntry) int {
		return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.name, b.name))
	})
	if len(s.openings) > 0 && !s.openings[0].Start.After(now) {
		s.current = true
		for _, n := range nodes {
			if !n.CreatedAt.Before(s.openings[0].Start) && !n.CreatedAt.After(now) {
				s.used++
			}
		}
	}
	if len(cands) == 0 {
		s.level = conc
		return s
	}
	best := s.place(cands, conc)
	s.level = conc
	for l := 1; l < conc; l++ {
		if pl := s.place(cands, l); pl.late == best.late {
			best, s.level = pl, l
			break
		}
	}
	s.late = best.late
	for i, c := range cands {
		s.slots[c.idx] = best.slots[i]
	}
	return s
}

type placed struct {
	slots []placement // parallel to the candidates
	late  int
}

// place runs oldest-first earliest-fit with at most level nodes per opening; a node that fits no
// opening before its deadline is forced into the first opening at or after it.
func (s *schedule) place(cands []schedEntry, level int) placed {
	m := len(s.openings)
	load := make([]int, m)
	if s.current {
		load[0] = s.used
	}
	out := placed{slots: make([]placement, len(cands))}
	e, h := 0, 0 // first opening starting at or after the due time / the deadline (monotone)
	for i, c := range cands {
		for e < m && s.openings[e].Start.Before(c.due) {
			e++
		}
		k := e
		for k < m && load[k] >= level && s.openings[k].Start.Before(c.hard) {
			k++
		}
		if k < m && s.openings[k].Start.Before(c.hard) {
			load[k]++
			out.slots[i] = placement{scheduled: true, opening: k}
			continue
		}
		out.late++
		for h < m && s.openings[h].Start.Before(c.hard) {
			h++
		}
		if h < m {
			load[h]++
			out.slots[i] = placement{scheduled: true, opening: h, forced: true}
		} else {
			out.slots[i] = placement{scheduled: true, opening: -1}
		}
	}
	return out
}

// opening returns the opening at index k, or nil.
func (s *schedule) opening(k int) *window.Interval {
	if k < 0 || k >= len(s.openings) {
		return nil
	}
	iv := s.openings[k]
	return &iv
}
