// Package plan computes, from the desired specs and an observed snapshot at a given time, the
// ordered and explained set of actions (docs/contracts.md §4), and renders it as text, JSON and Markdown from
// that one value. It is pure: no I/O, no clock, no logging; Compute(Input) is deterministic (the
// order of its inputs does not matter) and returns either a whole plan or every error at once.
//
// # Matching and ownership
//
// A spec is matched to the live cluster of the same name in its region+project (Key). Input.Owner
// is this repository's identity. A live cluster carrying cloud.ManagedByTag and exactly the owner
// tag cloud.OwnerTag(Owner) is ours; one with only ManagedByTag (from before owner tags) is
// claimed by the spec that names it ("claim-legacy" warning; the update adds the owner tag); one
// with another repository's owner tag is never changed or deleted ("owned-elsewhere"); one with
// neither tag is changed only when its spec says adopt: true (reason "adopt"), otherwise
// "not-owned". A cluster left alone still has its field drift computed, deferred as not-owned.
// The tags the reconciler keeps (ManagedByTag, the owner tag, and cloud.ProtectionTag mirroring
// spec.deletionProtection) are part of every desired cluster's tags.
//
// # Deletion rule
//
// A live cluster no spec names is deleted only when all hold: repo-level prune is on, the
// identity is known and the cluster carries ManagedByTag and exactly this repository's owner
// tag, the live cluster is tagged deletion-protection=false (written by apply from a spec that
// said so: evidence only Scaleway credentials can write), and, when a status file names it
// (Input.LastApplied), that status records the same cluster id and no deletionProtection: true.
// Anything less is a "cluster-not-in-spec" warning naming every unmet condition; a status file
// can only add caution. A cluster of ours that no spec and no status name is an orphan
// (ClusterPlan.Orphan, warning "orphan", Summary.Orphans; Plan.HasChanges is true), deleted
// only under the same rule; a "deletion-authorised" warning lists the evidence of each delete.
//
// # Actions and order
//
// Within a cluster: create-cluster, set-cluster-type, update-cluster and set-cluster-acl, then the upgrade chain
// (upgrade-cluster hop 1, its upgrade-pools, hop 2, …), create-pool, update-pool, replace-pool,
// delete-pool, rotate-node, delete-cluster; ties by target, then id. Clusters are ordered by
// (region, project, name). IDs are "<cluster>/<type>[/<discriminator>]":
//
//	prod-par/create-cluster                  prod-par/update-cluster
//	prod-par/set-cluster-type/<type>         prod-par/upgrade-cluster/<version>
//	prod-par/upgrade-pool/<pool>/<version>   prod-par/create-pool/<pool>
//	prod-par/update-pool/<pool>              prod-par/replace-pool/<pool>
//	prod-par/delete-pool/<pool>              prod-par/delete-cluster
//	prod-par/rotate-node/<pool>/<node>       (chosen by node rotation, rotate.go)
//
// Upgrades are chained one minor per hop, each at that minor's latest catalog patch, the last at
// the exact patch when the spec names one; pools follow their cluster after every hop and are
// never above it. A downgrade, a minor the catalog lacks, a version that cannot be created, a
// type change across families, or an immutable cluster field (cni, privateNetworkID, CIDRs) that
// differs is a plan error naming the cluster and both versions/values. When the live cluster's
// available versions are known (cloud.Cluster.AvailableVersions, read by pkg/reconcile for the
// clusters the region list says to upgrade), the first hop must be one of them: the latest patch
// of its minor among them, or the spec's exact version; a minor or exact version they lack is a
// plan error naming what the API offers. Later hops still come from the region list.
//
// Field ownership: a nil optional spec field is not managed (the live value stays); lists and
// maps (tags, labels, taints, kubelet args, feature gates, …) are owned whole. With pool
// autoscaling on, size is the autoscaler's. With autoUpgrade on, a live patch newer than an exact
// spec patch in the same minor is expected, and a newer catalog patch for a followed minor is an
// "upgrade-available" warning, not an action.
//
// # Payload and Details
//
// Each action carries a typed Payload, exactly what apply sends: the cluster to create
// (create-cluster), the PATCH (update-cluster: cloud.ClusterUpdate; update-pool: PoolPatch), the
// type or version to reach, the pool to create (create-pool, replace-pool), the node rotation
// with its resolved drain policy and window end (NodeRotation), the deletion evidence
// (Deletion). It is computed with the Changes, from the same comparison, and is not serialised:
// apply never parses Changes or Details. Details are the stable, displayed keys:
//
//	region, project_id   every action
//	cluster_id           every action on an existing cluster
//	version              create-cluster: the exact version to create;
//	                     upgrade-cluster / upgrade-pool: the target of this hop
//	hop                  upgrade-cluster / upgrade-pool: 1-based hop ("0" = a pool catching up)
//	type                 create-cluster: cluster type; set-cluster-type: the new type
//	from_type            set-cluster-type: the live type
//	pools                create-cluster: comma-separated names of the pools created inline
//	pool, pool_id        pool actions: live pool name and id (create-pool: name only)
//	new_pool             replace-pool: name of the replacement pool (ReplacementName)
//	new_pool_id          replace-pool: id of the replacement when it already exists
//	steps                replace-pool: the steps that remain, from "create-new,wait-ready,cordon,drain,delete-old"
//	                     (derived from the live pools' replacement tags, replace.go; no cordon/drain without nodes)
//	nodes, budget        replace-pool with a drain: the old pool's node count, how many drain at once
//	drain_timeout, on_drain_timeout  replace-pool with a drain: the pool's rotation drain policy
//	window_end           replace-pool: when the open upgrade window closes (no drain starts after it)
//	pool, node_id        rotate-node (with node, pool_id, cluster_id, created_at, drain_timeout, on_drain_timeout, window_end)
//
// Change paths are spec paths: spec.tags, spec.autoscaler.expander, spec.autoUpgrade.enabled,
// spec.pools[<name>].autoscaling.max, …; DesiredCluster and DesiredPool build the shapes to create.
//
// # Deferred and warnings
//
// Deferred.Why: not-ready (cluster or pool in a transient status), locked, needs-opt-in
// (replace-pool without spec.allowDisruptiveReplace), outside-window (upgrades and replacements
// outside spec.upgrade.window; Message gives the next opening in the window's zone),
// invalid-window (fail closed), report-only (spec.drift: report), superseded (a rotation of a
// pool this plan renews), not-owned (the drift of a cluster the reconciler leaves alone),
// out-of-stock (the creation of nodes of a type in shortage in its zone), commitment (a set-type
// to a lower tier before the live type's commitment_ends_at; Message gives the date),
// removed-apis-in-use (a minor hop while Input.Preflight lists objects served in API versions the
// target minor removes, unless spec.upgrade.ignoreRemovedAPIs), removed-apis-unchecked (the same
// hop while the pre-flight could not read the cluster: fail closed), wave-pending and wave-halted (the
// fleet rollout, waves.go: a hop or node-type replacement of a wave-N cluster waits for every
// lower-wave cluster that needs it to take it and stay healthy for Input.Rollout.Soak, from the
// health times the status files record in Input.Health; a lower-wave cluster failing a halt
// condition halts it; the lower-wave clusters another replica plans, Input.Elsewhere, count with
// the facts their status files record, and facts that are missing, written for other specs or
// older than Elsewhere.MaxAge hold the hop, naming the cluster: waves_elsewhere.go). Later hops of a deferred upgrade chain are deferred with it. With more than
// one wave the plan carries the wave plan (Plan.Rollout) and each cluster its wave
// (ClusterPlan.Rollout); Input.Preflight is attached as ClusterPlan.Preflight.
//
// Warning codes: not-owned, owned-elsewhere, claim-legacy, cluster-not-in-spec, orphan,
// deletion-authorised, spec-behind (Scaleway moved the live version past the spec: a forced upgrade off an
// end-of-life minor, or a patch; reported, never an error or a downgrade), pool-not-in-spec, version-deprecated,
// version-end-of-life, version-not-in-catalog, upgrade-available, cluster-error, pool-error,
// node-error, pool-version-unreachable, available-versions-unknown (the cluster's upgrade targets
// could not be read: they come from the region list), commitment-starts (a move to, or creation as, a higher
// dedicated tier starts 30 days of billing commitment), node-type-scarce, node-types-unchecked
// (a zone's catalog could not be read: its node types are not checked).
//
// # Node types, quota, commitment
//
// With node-type catalogs in the snapshot (cloud.Snapshot.Zones, read by pkg/reconcile), every
// pool the plan creates nodes for (create-cluster, create-pool, a replace-pool's new pool) must
// name a type its zone offers and still sells: otherwise a plan error
// "<file>:<line>: pool X: node type "PRO2-SS" is not offered in fr-par-1; closest: PRO2-S, PRO2-XS
// (see scw instance server-type list zone=fr-par-1)". A zone without a catalog is not checked.
// When a zone's catalog carries a quota, the plan's peak of extra Instances there (per cluster:
// lasting additions plus the largest passing one, a replacement pool beside the old or an
// upgrade's maxSurge nodes; summed over clusters, which apply runs in parallel) must fit in
// limit - used, else a plan error with the numbers. Without quota information nothing is
// checked (the Scaleway adapter reads none: see pkg/cloud/scaleway ListNodeTypes).
//
// Each ClusterPlan records BasedOn, the Fingerprint of the live cluster it was computed from;
// apply compares it with a fresh FingerprintOf and refuses a stale plan.
//
// # Rotation calendar
//
// With Input.Rotate (rotate.go: package rotation's candidates and calendar), each owned cluster's plan carries
// rotation_calendar: per pool of the spec, the window openings until `until` (30 days after now)
// that replace nodes, with the node names (overdue ones marked), a count of the openings that
// replace nothing, and the due nodes no opening in the horizon takes (later). Times are in the
// window's zone. The calendar's warnings (rotation-deadline-missed, rotation-no-opening, invalid
// policy) join the cluster's warnings. Without the hook the field is absent.
package plan
