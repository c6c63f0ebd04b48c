package plan

import (
	"cmp"
	"reflect"
	"slices"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// sameSet compares two string lists ignoring order and duplicates (the API keeps the order it
// was given; the spec's order is not meaningful).
func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

func sameTaints(a, b []cloud.Taint) bool {
	sortT := func(ts []cloud.Taint) []cloud.Taint {
		out := slices.Clone(ts)
		slices.SortFunc(out, func(x, y cloud.Taint) int {
			return cmp.Or(cmp.Compare(x.Key, y.Key), cmp.Compare(x.Value, y.Value), cmp.Compare(x.Effect, y.Effect))
		})
		return out
	}
	return slices.Equal(sortT(a), sortT(b))
}

// equalValue compares two plain values (strings, lists, maps) deeply.
func equalValue(a, b any) bool { return reflect.DeepEqual(a, b) }

// sortedCopy is a sorted, non-nil copy of a list compared as a set (a stable "before" value).
func sortedCopy(s []string) []string {
	out := nonNil(s)
	slices.Sort(out)
	return out
}
