package spec

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	types := []string{"DEV1-M", "PRO2-L", "PRO2-M", "PRO2-S", "PRO2-XS", "PRO2-XXS", "POP2-2C-8G"}
	for _, tc := range []struct {
		name  string
		limit int
		want  []string
	}{
		{"PRO2-SS", 3, []string{"PRO2-S", "PRO2-XS"}}, // both one edit away
		{"pro2-s", 3, []string{"PRO2-S"}},             // case does not count
		{"PRO2-XXXS", 3, []string{"PRO2-XXS"}},
		{"PRO2-SS", 1, []string{"PRO2-S"}},
		{"GPU-3070-S", 3, nil}, // nothing close enough to be a typo
	} {
		if got := Closest(tc.name, types, tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("Closest(%q, %d) = %v, want %v", tc.name, tc.limit, got, tc.want)
		}
	}
}

func TestNodeTypeHint(t *testing.T) {
	for name, want := range map[string]string{
		"PRO2-SS":        `"SS" is not an Instance size (XXS, XS, S, M, L, XL, XXL); did you mean PRO2-XS or PRO2-S?`,
		"pro2_xxxs":      `"XXXS" is not an Instance size (XXS, XS, S, M, L, XL, XXL); did you mean PRO2-XXS?`,
		"PRO2-S":         "",
		"pro2_xxs":       "",
		"PLAY2-NANO":     "",
		"POP2-HC-8C-16G": "",
		"H100-1-80G":     "",
		"external":       "",
		"DEV1-XL":        "",
	} {
		if got := NodeTypeHint(name); got != want {
			t.Errorf("NodeTypeHint(%q) = %q, want %q", name, got, want)
		}
	}
}
