package cloud

import (
	"cmp"
	"slices"
)

// SameSet compares two string lists (tags, feature gates, …) ignoring order and duplicates: the
// API keeps the order it was given, the spec's order means nothing. Plan and apply both use it,
// so what apply finds already done is exactly what the plan would not change.
func SameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// SameTaints compares two taint lists ignoring order.
func SameTaints(a, b []Taint) bool {
	sorted := func(ts []Taint) []Taint {
		out := slices.Clone(ts)
		slices.SortFunc(out, func(x, y Taint) int {
			return cmp.Or(cmp.Compare(x.Key, y.Key), cmp.Compare(x.Value, y.Value), cmp.Compare(x.Effect, y.Effect))
		})
		return out
	}
	return slices.Equal(sorted(a), sorted(b))
}
