package plan

import (
	"reflect"
	"slices"
)

// equalValue compares two plain values (strings, lists, maps) deeply.
func equalValue(a, b any) bool { return reflect.DeepEqual(a, b) }

// sortedCopy is a sorted, non-nil copy of a list compared as a set (a stable "before" value).
func sortedCopy(s []string) []string {
	out := nonNil(s)
	slices.Sort(out)
	return out
}
