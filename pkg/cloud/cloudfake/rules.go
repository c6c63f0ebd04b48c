package cloudfake

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// The error values below carry the same text the SDK's typed errors print, so messages in
// reports look the same against the fake and against the API.

func notFound(resource, id string) error { return &cloud.NotFoundError{Resource: resource, ID: id} }

func transientState(resource, id, state string) error {
	return &cloud.TransientError{Reason: "transient_state", Err: fmt.Errorf(
		"scaleway-sdk-go: resource %s with ID %s is in a transient state: %s", resource, id, state)}
}

func locked(resource, id string) error {
	return &cloud.TerminalError{Reason: "locked", Err: fmt.Errorf(
		"scaleway-sdk-go: resource %s with ID %s is locked", resource, id)}
}

func invalid(arg, help string) error {
	return &cloud.TerminalError{Reason: "invalid_arguments", Err: fmt.Errorf(
		"scaleway-sdk-go: invalid argument(s): %s does not respect constraint, %s", arg, help)}
}

// version is a parsed x.y.z.
type version struct{ major, minor, patch int }

func parseVersion(s string) (version, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return version{}, errors.New("want x.y.z")
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return version{}, errors.New("want x.y.z")
		}
		v[i] = n
	}
	return version{v[0], v[1], v[2]}, nil
}

// known reports whether the catalog offers v: its minor is listed with a patch ≥ v's.
func (f *Fake) known(v version) bool {
	for _, cv := range f.versions {
		c, err := parseVersion(cv.Name)
		if err == nil && c.major == v.major && c.minor == v.minor && c.patch >= v.patch {
			return true
		}
	}
	return false
}

// inCatalog reports whether name is exactly a catalog entry (creation accepts only those).
func (f *Fake) inCatalog(name string) bool {
	for _, cv := range f.versions {
		if cv.Name == name {
			return true
		}
	}
	return false
}

// checkUpgrade enforces "a higher patch of the same minor, or the direct next minor".
func (f *Fake) checkUpgrade(from, to string) error {
	cur, err := parseVersion(from)
	if err != nil {
		return invalid("version", fmt.Sprintf("current version %q is not x.y.z", from))
	}
	tgt, err := parseVersion(to)
	if err != nil {
		return invalid("version", fmt.Sprintf("version %q is not x.y.z", to))
	}
	samePatchUp := tgt.major == cur.major && tgt.minor == cur.minor && tgt.patch > cur.patch
	nextMinor := tgt.major == cur.major && tgt.minor == cur.minor+1
	if !samePatchUp && !nextMinor {
		return invalid("version", fmt.Sprintf("cannot upgrade from %s to %s: only a higher patch of the same minor or the next minor is allowed", from, to))
	}
	if !f.known(tgt) {
		return invalid("version", fmt.Sprintf("version %s is not available", to))
	}
	return nil
}

// availableTypes follows the observed commitment rules: same family, higher tiers only once
// dedicated.
func availableTypes(current string) []string {
	tiers := []string{"kapsule", "kapsule-dedicated-4", "kapsule-dedicated-8", "kapsule-dedicated-16"}
	if strings.HasPrefix(current, "multicloud") {
		tiers = []string{"multicloud", "multicloud-dedicated-4", "multicloud-dedicated-8", "multicloud-dedicated-16"}
	}
	if current == tiers[0] {
		return tiers
	}
	for i, t := range tiers {
		if t == current {
			return append([]string(nil), tiers[i+1:]...)
		}
	}
	return nil
}

// commitmentDelay is the dedicated types' commitment (the API's commitment_delay, 2592000s).
const commitmentDelay = 30 * 24 * time.Hour

// commitmentEnd is commitment_ends_at after creating or moving to clusterType at now, as the API
// sets it: now for a mutualised type, now plus the commitment for a dedicated one.
func commitmentEnd(clusterType string, now time.Time) *time.Time {
	t := now
	if strings.Contains(clusterType, "-dedicated-") {
		t = now.Add(commitmentDelay)
	}
	return &t
}
