// Package reconcile is one reconcile pass as ordered steps, shared by `plan`, `apply` and the
// `run` loop: fetch the desired state from a Source, load and validate it, observe the live state
// once per region and project, compute the plan, and (in apply mode) execute it.
//
// Invariants:
//   - Observation is one Provider.Observe per distinct (region, project) that the specs or the
//     profile's default name, in sorted order. The default scope is observed even when no spec
//     is left in it, so a cluster whose spec was removed is still seen by the deletion check.
//   - Then one Provider.ListNodeTypes per distinct zone the specs' Scaleway pools use (at most
//     MaxZonesPerPass), stored in the snapshot of each cluster's scope; a catalog that cannot be
//     read is stored with its error, so the plan warns and skips that zone's node-type checks.
//   - Then one Provider AvailableVersions (ListClusterAvailableVersions) per live cluster the
//     plan would upgrade (plan.NeedsTargets, from the region's version list), at most
//     MaxTargetReads at once; none for a cluster in sync, none again for a cluster already asked
//     in the pass (PlanObserved on the same snapshots). A failed read is kept in
//     cloud.Cluster.AvailableVersionsError: the plan warns and uses the region list.
//   - The plan is computed from exactly the snapshots handed to the executor as the plan's basis:
//     the executor's stale-plan check compares against what the plan saw.
//   - Nothing here prints; callers render the Pass.
package reconcile
