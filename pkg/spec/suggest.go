package spec

import (
	"fmt"
	"strings"
)

// suggestField proposes the known field closest to a misspelt one.
func suggestField(name string, fields []fieldInfo) string {
	best, bestD := "", 3
	for _, f := range fields {
		if strings.EqualFold(f.name, name) {
			return fmt.Sprintf("field names are case-sensitive: did you mean %q?", f.name)
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(f.name)); d < bestD {
			best, bestD = f.name, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	if len(fields) <= 8 {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.name
		}
		return "known fields: " + strings.Join(names, ", ")
	}
	return ""
}

// editDistance is the Levenshtein distance, capped for long inputs.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidates nearest to name by case-insensitive edit distance: every one at
// the smallest distance, in candidate order, at most limit of them. It returns none when even
// the nearest is too far to be a typo (more than a third of name's length, and more than 2).
func Closest(name string, candidates []string, limit int) []string {
	n := strings.ToLower(name)
	best, far := []string(nil), max(2, len(n)/3)
	bestD := far + 1
	for _, c := range candidates {
		d := editDistance(n, strings.ToLower(c))
		switch {
		case d < bestD:
			best, bestD = []string{c}, d
		case d == bestD:
			best = append(best, c)
		}
	}
	if len(best) > limit {
		best = best[:limit]
	}
	return best
}

// instanceSizes are the size words Scaleway Instance names end with (PRO2-XXS … PRO2-L,
// DEV1-XL, PLAY2-NANO). They only shape an offline hint: the zone's live catalog decides.
var instanceSizes = []string{"XXS", "XS", "S", "M", "L", "XL", "XXL", "PICO", "NANO", "MICRO"}

// NodeTypeHint checks a node type's spelling offline, as far as a name can be checked without
// the live catalog, and says what looks wrong ("" when nothing does). Instance names end in a
// size word (PRO2-S) or a shape with digits (POP2-2C-8G, H100-1-80G); a last segment of letters
// only that is no size word is suspicious. It never proves a name exists: `plan` checks names
// against the zone's catalog.
func NodeTypeHint(t string) string {
	name := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(t), "_", "-"))
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || strings.EqualFold(name, NodeTypeExternal) {
		return ""
	}
	last := name[i+1:]
	if last == "" || strings.ContainsAny(last, "0123456789") {
		return ""
	}
	for _, s := range instanceSizes {
		if last == s {
			return ""
		}
	}
	msg := fmt.Sprintf("%q is not an Instance size (%s)", last, strings.Join(instanceSizes[:7], ", "))
	if near := Closest(last, instanceSizes, 2); len(near) > 0 {
		alts := make([]string, len(near))
		for j, s := range near {
			alts[j] = name[:i+1] + s
		}
		msg += "; did you mean " + strings.Join(alts, " or ") + "?"
	}
	return msg
}
