// Package cloudfake is an in-memory, stateful cloud.Provider for narrow unit tests of apply and
// rotation. It is not a mock: it keeps clusters, pools and nodes, moves them through the same
// statuses the real API (and pkg/emulator) shows, and enforces the rules that matter to callers:
//
//   - a mutation returns at once with the resource in a transient status (creating, updating,
//     scaling, upgrading, deleting); the status settles when the injected clock has moved
//     ReadyAfter past the mutation, or when the test calls Step;
//   - a mutation on a cluster in creating/updating/deleting, or a pool size change or upgrade on a
//     pool in upgrading/deleting, fails with a 409-like *cloud.TransientError (Reason
//     "transient_state"); anything on a locked resource fails with *cloud.TerminalError "locked";
//   - UpgradeCluster accepts only a higher patch of the same minor or the next minor that the
//     catalog knows, UpgradePool only the cluster's version; anything else is a
//     *cloud.TerminalError "invalid_arguments";
//   - a mutualized kapsule cluster without pools is "pool_required";
//   - ReplaceNode and pool upgrades replace nodes: new node IDs with CreatedAt from the clock;
//   - node types: ListNodeTypes lists DefaultNodeTypes unless WithNodeTypes gives a zone its own
//     catalog, which makes the zone strict (an unlisted type is invalid_arguments, one in shortage
//     out_of_stock); WithQuota caps a zone's nodes (quotas_exceeded) and reports Quota{Limit, Used};
//   - commitment_ends_at is the creation or set-type time, plus 30 days for a dedicated type.
//
// Every Provider call is recorded (Calls) before any injected failure (FailNext) is returned.
// IDs are deterministic counters, output order is creation order. A Fake is safe for concurrent
// use; it returns deep copies, never its own state.
package cloudfake
