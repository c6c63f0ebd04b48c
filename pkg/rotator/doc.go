// Package rotator carries out rotate-node actions: for one node at a time it cordons and drains
// the node in Kubernetes (through a Drainer, so PodDisruptionBudgets are honoured), asks the
// Scaleway API to replace it, and waits until the replacement is ready both in the API and in
// Kubernetes.
//
// Invariants:
//   - A node is replaced only after its drain succeeded, or after a drain timeout with the
//     pool's policy "force". With "skip" the node is uncordoned and left for a later window;
//     with "abort" the node is uncordoned and apply stops the pool's remaining rotations.
//   - Every step is bounded by a timeout measured on the injected clock, and every outcome
//     (done, skipped, aborted, failed) is returned with the reason; nothing is skipped silently.
//   - It retries nothing itself: the provider retries its reads, the drainer its refused
//     evictions (pkg/backoff); while waiting for the replacement a transient read error is one
//     poll without an answer, and the next poll comes after PollInterval.
//   - It is safe to run again after a crash: a node that is already gone is reported as done.
//
// NodeRotator plugs the Rotator into the plan executor (apply.NodeRotator): one rotate-node
// action at a time, a cluster's Drainer reused across a pass, skips and aborts returned as
// apply's RotationSkippedError / RotationAbortedError. KubeDrainer adapts pkg/drain (the only
// client-go user for drains) to the Drainer interface; KubeDrainerFactory builds it from the
// kubeconfig that the Scaleway API gives for the cluster.
package rotator
