package cloud

import (
	"slices"
	"strings"
)

// ManagedByTag marks what the reconciler created or adopted (docs/contracts.md §7).
const ManagedByTag = "managed-by=reconciler"

// Tags the reconciler keeps on the clusters it owns, next to ManagedByTag. They are written only
// through the Scaleway API (apply sets them), so they are evidence a commit cannot forge.
const (
	// TagPrefix is reserved: a spec may not set tags under it.
	TagPrefix = "reconciler.scaleway.dev/"
	// OwnerTagPrefix + the repository identity names the repository that owns the cluster.
	OwnerTagPrefix = TagPrefix + "owner="
	// ProtectionTagPrefix + "true"/"false" mirrors the last applied spec.deletionProtection.
	ProtectionTagPrefix = TagPrefix + "deletion-protection="
)

// OwnerTag is the ownership tag of the repository with identity id.
func OwnerTag(id string) string { return OwnerTagPrefix + id }

// ProtectionTag mirrors a deletionProtection value onto the live cluster.
func ProtectionTag(protected bool) string {
	if protected {
		return ProtectionTagPrefix + "true"
	}
	return ProtectionTagPrefix + "false"
}

// Managed reports whether the cluster carries ManagedByTag.
func (c *Cluster) Managed() bool { return slices.Contains(c.Tags, ManagedByTag) }

// Owner is the repository identity of the cluster's owner tag, "" when it has none. A cluster
// with several owner tags has none that can be trusted: Owner returns "" and Owners tells why.
func (c *Cluster) Owner() string {
	if o := c.Owners(); len(o) == 1 {
		return o[0]
	}
	return ""
}

// Owners lists every owner identity the cluster's tags name, sorted.
func (c *Cluster) Owners() []string {
	var out []string
	for _, t := range c.Tags {
		if id, ok := strings.CutPrefix(t, OwnerTagPrefix); ok && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// OwnedBy reports whether the cluster carries ManagedByTag and exactly the owner tag of id.
func (c *Cluster) OwnedBy(id string) bool {
	return id != "" && c.Managed() && len(c.Owners()) == 1 && c.Owner() == id
}

// Unprotected reports whether the live protection tag says false (and nothing says true): the
// deletion evidence only apply can write. A cluster without the tag is protected.
func (c *Cluster) Unprotected() bool {
	return slices.Contains(c.Tags, ProtectionTag(false)) && !slices.Contains(c.Tags, ProtectionTag(true))
}
