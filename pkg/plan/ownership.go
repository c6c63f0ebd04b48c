package plan

import (
	"fmt"
	"strings"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// ownership is how a live cluster relates to this repository (Input.Owner).
type ownership int

const (
	// unmanaged: no ManagedByTag and no owner tag; changed only with spec.adopt.
	unmanaged ownership = iota
	// legacy: ManagedByTag without an owner tag (created before owner tags existed); a spec that
	// names it claims it (the plan adds this repository's owner tag), it is never deleted.
	legacy
	// ours: ManagedByTag and exactly this repository's owner tag.
	ours
	// foreign: an owner tag of another repository (or several, or ours while the identity is
	// unknown): never changed, never deleted.
	foreign
)

func ownershipOf(c *cloud.Cluster, owner string) ownership {
	owners := c.Owners()
	switch {
	case len(owners) == 0 && c.Managed():
		return legacy
	case len(owners) == 0:
		return unmanaged
	case c.OwnedBy(owner):
		return ours
	}
	return foreign
}

// Unmanaged reports whether the plan leaves the cluster alone because the reconciler does not
// manage it (no ownership tag without spec.adopt, or another repository's owner tag), with the
// warning that says so.
func (cp *ClusterPlan) Unmanaged() (bool, Warning) {
	for _, w := range cp.Warnings {
		if w.Code == "not-owned" || w.Code == "owned-elsewhere" {
			return true, w
		}
	}
	return false, Warning{}
}

// foreignMessage explains why a cluster owned by another repository is left alone.
func foreignMessage(c *cloud.Cluster, owner string) string {
	tags := make([]string, 0, 1)
	for _, o := range c.Owners() {
		tags = append(tags, cloud.OwnerTag(o))
	}
	this := fmt.Sprintf("this repository is %q", owner)
	if owner == "" {
		this = "this repository's identity is unknown (set owner: in reconciler.yaml, or read the repository from its git URL)"
	}
	return fmt.Sprintf("live cluster %s (%s) is tagged %s; %s: it is never changed or deleted from here (to hand it over, remove that tag with the Scaleway console or CLI and set spec.adopt: true)",
		c.Name, c.ID, strings.Join(tags, ", "), this)
}

// deletionBlockers lists every condition of the deletion rule that a live cluster without a spec
// fails; none means it may be deleted. The evidence is on the live cluster, where only Scaleway
// credentials can write: this repository's owner tag and the protection tag apply mirrors from
// the last applied spec. A status file is a report: it can only add reasons (a different or no
// recorded id, a recorded deletionProtection: true), never remove one.
func deletionBlockers(in Input, live *cloud.Cluster, own ownership, rec Applied, recorded bool) []string {
	var why []string
	if !in.Prune {
		why = append(why, "repo-level prune is off")
	}
	switch {
	case in.Owner == "":
		why = append(why, "this repository's identity is unknown (set owner: in reconciler.yaml)")
	case own == unmanaged:
		why = append(why, fmt.Sprintf("it lacks the %s tag", cloud.ManagedByTag))
	case own == foreign:
		why = append(why, fmt.Sprintf("its owner tags name another repository or several (%s)", strings.Join(live.Owners(), ", ")))
	case own == legacy:
		why = append(why, fmt.Sprintf("it does not carry this repository's owner tag %s", cloud.OwnerTag(in.Owner)))
	}
	if !live.Unprotected() {
		msg := fmt.Sprintf("the live cluster is not tagged %s (apply sets it from a spec with deletionProtection: false)", cloud.ProtectionTag(false))
		if recorded && !rec.DeletionProtection {
			msg += fmt.Sprintf(", whatever %s says (a status file is a report, never an authorisation)", rec.File)
		}
		why = append(why, msg)
	}
	if recorded {
		switch {
		case rec.ID == "":
			why = append(why, fmt.Sprintf("%s records no cluster id", rec.File))
		case rec.ID != live.ID:
			why = append(why, fmt.Sprintf("%s records cluster id %s, not the live %s: the status is stale or forged", rec.File, rec.ID, live.ID))
		case rec.DeletionProtection:
			why = append(why, fmt.Sprintf("%s records deletionProtection: true", rec.File))
		}
	}
	return why
}
