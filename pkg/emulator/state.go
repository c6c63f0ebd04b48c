package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// clusterRec is a cluster plus the emulator's bookkeeping (persisted, never served).
type clusterRec struct {
	Cluster
	Seq          int64     `json:"seq"`
	Due          time.Time `json:"due"`           // when the current transient state ends
	UpgradePools bool      `json:"upgrade_pools"` // cascade pools when the upgrade finishes
	Token        string    `json:"token"`
	SettledAt    time.Time `json:"settled_at"` // last creation or change end; lifecycle acts after it
}

type poolRec struct {
	Pool
	Seq      int64             `json:"seq"`
	Due      time.Time         `json:"due"` // minimum end of the transient state; zero = settle on node events
	UserData map[string][]byte `json:"user_data"`
}

type nodeRec struct {
	Node
	Seq     int64     `json:"seq"`
	Due     time.Time `json:"due"`
	Version string    `json:"version"` // kubelet version the node runs
	Zone    string    `json:"zone"`
	// autoheal bookkeeping: when the node went not_ready, whether autoheal rebooted it already,
	// and whether a reboot leaves it not_ready (a persistent failure)
	NotReadySince    time.Time `json:"not_ready_since"`
	AutohealRebooted bool      `json:"autoheal_rebooted"`
	Broken           bool      `json:"broken"`
}

// state is everything the emulator knows; it is what the state file holds.
type state struct {
	Clusters map[string]*clusterRec     `json:"clusters"`
	Pools    map[string]*poolRec        `json:"pools"`
	Nodes    map[string]*nodeRec        `json:"nodes"`
	ACLs     map[string][]ACLRule       `json:"acls"` // by cluster id
	PNs      map[string]*PrivateNetwork `json:"private_networks"`
	Seq      int64                      `json:"seq"`
	Offset   time.Duration              `json:"clock_offset"` // admin time travel
}

func newState() *state {
	return &state{Clusters: map[string]*clusterRec{}, Pools: map[string]*poolRec{},
		Nodes: map[string]*nodeRec{}, ACLs: map[string][]ACLRule{}, PNs: map[string]*PrivateNetwork{}}
}

func (st *state) nextSeq() int64 { st.Seq++; return st.Seq }

// poolsOf returns a cluster's pools in creation order.
func (st *state) poolsOf(clusterID string) []*poolRec {
	var out []*poolRec
	for _, p := range st.Pools {
		if p.ClusterID == clusterID {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// nodesOf returns a pool's nodes in creation order.
func (st *state) nodesOf(poolID string) []*nodeRec {
	var out []*nodeRec
	for _, n := range st.Nodes {
		if n.PoolID == poolID {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	if st.Clusters == nil || st.Pools == nil || st.Nodes == nil || st.ACLs == nil || st.PNs == nil {
		fresh := newState()
		if st.Clusters == nil {
			st.Clusters = fresh.Clusters
		}
		if st.Pools == nil {
			st.Pools = fresh.Pools
		}
		if st.Nodes == nil {
			st.Nodes = fresh.Nodes
		}
		if st.ACLs == nil {
			st.ACLs = fresh.ACLs
		}
		if st.PNs == nil {
			st.PNs = fresh.PNs
		}
	}
	return st, nil
}

// persistLocked writes the state file atomically (temp file in the same directory, then rename).
func (s *Server) persistLocked() {
	if s.opts.StateFile == "" {
		return
	}
	if err := writeStateFile(s.opts.StateFile, s.st); err != nil {
		s.opts.Logf("emulator: save state: %v", err)
	}
}

func writeStateFile(path string, st *state) error {
	b, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".emulator-state-*")
	if err != nil {
		return fmt.Errorf("temp file: %w", err)
	}
	name := tmp.Name()
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("close: %w", err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("rename: %w", err)
	}
	return nil
}
