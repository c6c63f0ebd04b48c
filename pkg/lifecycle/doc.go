// Package lifecycle decides the pull requests the loop proposes as Scaleway's Kubernetes versions
// age, one per cluster:
//
//   - upgrade: DaysBeforeDeprecation days (default 30) before the deprecated_at of the cluster's
//     live minor, a pull request that bumps spec.version one minor (to the next minor the catalog
//     offers);
//   - spec-sync: after Scaleway upgraded the cluster past its spec (a forced upgrade at end of
//     life, or an automatic one), a pull request that sets spec.version to the live minor.
//
// Decide is pure: the loaded specs, their files' bytes, the observed snapshots and now are
// inputs; the proposals carry the new file content, the branch, the title and the body's text.
// Publishing (planning the proposed revision for its preview, pushing the branch, opening or
// editing the pull request, closing the ones no longer needed) is the loop's (pkg/runner).
//
// Invariants:
//   - One branch per cluster (Branch), so one pull request per cluster: a re-run force-pushes
//     the same branch and edits the same pull request, never opens a second one.
//   - The spec file changes in one place: the spec.version scalar of the cluster's document,
//     in its quoting style; comments, order and every other byte are kept (SetVersion).
//   - No proposal for a cluster that is not live, whose live version is not an exact x.y.z,
//     or whose spec is ahead of the live version (the plan upgrades it).
package lifecycle
