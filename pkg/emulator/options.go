package emulator

import (
	"log"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"
)

// Dwell is how long each transient state lasts before its transition fires.
type Dwell struct {
	ClusterCreate  time.Duration `json:"cluster_create"`
	ClusterUpdate  time.Duration `json:"cluster_update"`
	ClusterUpgrade time.Duration `json:"cluster_upgrade"`
	ClusterDelete  time.Duration `json:"cluster_delete"`
	PoolScaling    time.Duration `json:"pool_scaling"` // minimum time a pool stays scaling
	PoolUpgrade    time.Duration `json:"pool_upgrade"` // time in upgrading before nodes are replaced
	PoolDelete     time.Duration `json:"pool_delete"`
	NodeCreate     time.Duration `json:"node_create"`
	NodeDelete     time.Duration `json:"node_delete"`
	NodeReboot     time.Duration `json:"node_reboot"`
}

// TestDwell makes every transition fire on the next read: responses to mutations still show the
// transient state, the following GET shows the result. Use a fake clock to observe intermediate states.
var TestDwell = Dwell{}

// DemoDwell is short but realistic: the order of events is the real one (the control plane is
// ready before its nodes, a replaced node lingers in deleting) at a few seconds each.
var DemoDwell = Dwell{
	ClusterCreate:  4 * time.Second,
	ClusterUpdate:  2 * time.Second,
	ClusterUpgrade: 5 * time.Second,
	ClusterDelete:  3 * time.Second,
	PoolScaling:    2 * time.Second,
	PoolUpgrade:    2 * time.Second,
	PoolDelete:     3 * time.Second,
	NodeCreate:     5 * time.Second,
	NodeDelete:     2 * time.Second,
	NodeReboot:     3 * time.Second,
}

// Quotas limit resources per project; 0 means unlimited.
type Quotas struct {
	Clusters        int `json:"clusters"`          // per project and region
	PoolsPerCluster int `json:"pools_per_cluster"` // k8s_pool
	NodesPerCluster int `json:"nodes_per_cluster"` // k8s_node (sum of pool sizes)
	// NodesPerProject limits the nodes (sum of pool sizes, every cluster and region) of a project;
	// refused as quotas_exceeded on resource "instances" (the Instance quota nodes count against;
	// the resource name is an assumption, no recording shows it).
	NodesPerProject int `json:"nodes_per_project"`
}

// Options configure a Server. The zero value is usable (real clock, TestDwell, default catalog).
type Options struct {
	Clock clock.Clock
	Dwell Dwell
	// Catalog replaces the default version catalog (newest first not required).
	Catalog []CatalogVersion
	// NodeTypes replaces the default per-zone node type catalog (DefaultNodeTypes).
	NodeTypes NodeTypeCatalog
	Quotas    Quotas
	// StateFile, if set, is loaded at start and rewritten atomically after each mutation.
	StateFile string
	// Kubeconfig of a real kube-apiserver: Node objects are registered there and it is served
	// from GetClusterKubeConfig. Empty: a well-formed fake kubeconfig is served.
	Kubeconfig []byte
	// KubeClient, if set, is used instead of a client built from Kubeconfig (tests: a fake clientset).
	KubeClient kubernetes.Interface
	// ForcedUpgradeDelay is how long after a minor's end_of_life_at its clusters are force-upgraded
	// (the real service takes up to 30 days; default 0: at end of life).
	ForcedUpgradeDelay time.Duration
	// RequirePrivateNetwork rejects a Kapsule create without private_network_id (400). Off by
	// default: the emulator then creates a private network itself. It implies CheckPrivateNetworks.
	RequirePrivateNetwork bool
	// CheckPrivateNetworks refuses a private_network_id (cluster or pool) that the emulator's VPC
	// registry does not hold (privatenetworks.go). Off by default, so that specs naming private
	// networks the emulator never saw (examples/, the demo) still apply.
	CheckPrivateNetworks bool
	// DefaultPageSize is the page size when the client sends none (default 20; max is 100).
	DefaultPageSize int
	// Sleep implements injected latency (default time.Sleep).
	Sleep func(time.Duration)
	// Logf receives non-fatal diagnostics (kube sync errors, state write errors). Default log.Printf.
	Logf func(format string, args ...any)
}

func (o *Options) withDefaults() {
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if len(o.Catalog) == 0 {
		o.Catalog = DefaultCatalog()
	}
	if len(o.NodeTypes) == 0 {
		o.NodeTypes = DefaultNodeTypes()
	}
	if o.DefaultPageSize <= 0 {
		o.DefaultPageSize = 20
	}
	if o.DefaultPageSize > maxPageSize {
		o.DefaultPageSize = maxPageSize
	}
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	if o.Logf == nil {
		o.Logf = log.Printf
	}
}
