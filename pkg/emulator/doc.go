// Package emulator is an in-process emulator of the Scaleway Kubernetes (Kapsule/Kosmos) API v1,
// faithful enough that the unmodified scaleway-sdk-go, the Terraform provider and the scw CLI work
// against it (reference: docs/scaleway-k8s-api.md, recorded traffic in testdata/cassettes).
//
// Invariants:
//   - One mutex guards all state; every request first advances the state machines to the clock's
//     "now" (lazily, event by event, each transition stamped with its own due time), so behaviour
//     is deterministic for a given clock and request sequence. No background goroutines.
//   - Every wire object is non-null where the real API is (autoscaler_config, auto_upgrade, OIDC,
//     created_at/updated_at, empty lists and maps as [] and {}).
//   - Business errors use Scaleway's JSON error shapes and status codes (never 5xx) so the SDK
//     returns its typed errors; 429/503 only come from injected faults.
//   - With a state file, state is written atomically (temp file + rename) after every mutation.
//   - The admin API lives under /emulator/v1/ and is never counted as API traffic.
//   - The service's own actions are clock-driven transitions like the others: the version catalog
//     (catalog_dates.go) is evaluated at now, clusters past their minor's end of life are
//     force-upgraded, auto-upgrade runs in the maintenance window (lifecycle.go), autoheal reboots
//     and replaces not-ready nodes (autoheal.go); each is logged as a LifecycleEvent.
//   - Node types and their stock come from a per-zone catalog served as the Instance API
//     (nodetypes.go); private networks from a small VPC registry (privatenetworks.go).
package emulator
