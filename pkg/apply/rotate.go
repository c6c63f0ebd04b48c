package apply

import (
	"fmt"
)

// A NodeRotator reports with these errors the outcomes of a rotate-node action that are not a
// plain failure. Any other error fails the action and stops the cluster, like every action.

// RotationSkippedError says the rotator left the node alone on purpose (a drain timed out under
// onDrainTimeout: skip; the node was uncordoned). The action is reported skipped with Reason,
// which names what blocked it (the PodDisruptionBudgets); the cluster goes on and is not failed.
type RotationSkippedError struct {
	Reason string
}

func (e *RotationSkippedError) Error() string { return "node left alone: " + e.Reason }

// RotationAbortedError says the pool's rotation must stop (a drain timed out under
// onDrainTimeout: abort; the node was uncordoned). The action fails, the pool's remaining
// rotate-node actions are not run, the cluster's other actions go on, and the cluster ends failed
// with this error so that the stop is seen.
type RotationAbortedError struct {
	Pool   string
	Reason string
}

func (e *RotationAbortedError) Error() string {
	return fmt.Sprintf("rotation of pool %s aborted: %s", e.Pool, e.Reason)
}
