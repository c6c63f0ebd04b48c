package spec

import "strings"

// validBranchName reports whether name is a branch name git accepts (`git check-ref-format
// --branch` rules, as go-git's plumbing.ReferenceName.Validate applies them to refs/heads/name):
// no empty, dot-leading or ".lock"-ending component, no "..", "@{", "\", control characters,
// space, ~ ^ : ? * [, not "@", not starting with "-" nor ending with "." or "/".
func validBranchName(name string) bool {
	if name == "" || name == "@" || strings.HasPrefix(name, "-") || strings.HasSuffix(name, ".") ||
		strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.ContainsAny(name, "\\~^:?*[ ") {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	for part := range strings.SplitSeq(name, "/") {
		if part == "" || strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	return true
}
