// Package preflight reads, through a cluster's kubeconfig, what a planned change would meet
// before it runs, and reports it as plan.Preflight for the pure planner:
//
//   - drain feasibility (drain.go, pure: EvaluatePool): for every pool the plan disrupts
//     (upgrade-pool, replace-pool, rotate-node; plan.PreflightRequests), the PodDisruptionBudgets
//     covering its pods that allow no disruption (drain-blocked), single-replica workloads without
//     a budget (single-replica: a Deployment or StatefulSet with one replica, or a bare pod), pods
//     with local storage (local-storage: emptyDir, hostPath), and whether the nodes that stay
//     (plus the pool's surge nodes) can hold the evicted pods' CPU and memory requests (capacity;
//     not for a replace-pool, whose new pool is ready before the old one drains);
//   - removed APIs (removed.go, pure: Table, Evidence): before each minor hop, the objects served
//     in API versions the target minor removes, found through discovery and list calls. An object
//     counts when the removed version is the only one serving its resource, or when its
//     managedFields or last-applied configuration show it was written through that version.
//
// Checker (checker.go) holds the side effects: the kubeconfig comes from the cloud provider
// (cloud.Provider.Kubeconfig, parsed by drain.RESTConfig), each cluster is bounded by Timeout
// (default 10 s), and a cluster that cannot be read is reported as Skipped ("cluster unreachable:
// …"), never as an error of the pass. Requests are bounded: one list of nodes, pods and budgets
// per cluster, one get per distinct pod owner, one list per removed resource that is served.
package preflight
