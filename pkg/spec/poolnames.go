package spec

import (
	"encoding/hex"
	"strings"
)

// IsReplacementName reports whether a live pool name is the spec pool name plus the six
// lower-case hex digits a replacement pool carries (see plan.ReplacementName): the pool that
// replaced, or is replacing, the spec's pool after an immutable field changed.
func IsReplacementName(live, name string) bool {
	rest, ok := strings.CutPrefix(live, name+"-")
	if !ok || len(rest) != 6 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil && strings.ToLower(rest) == rest
}
