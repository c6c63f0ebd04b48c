package spec

import "testing"

func TestNormalizeNodeType(t *testing.T) {
	for in, want := range map[string]string{
		"PRO2-XXS":  "pro2_xxs",
		" PRO2-S\n": "pro2_s",
		"gp1_xs":    "gp1_xs",
		"DEV1-M":    "dev1_m",
		"":          "",
	} {
		if got := NormalizeNodeType(in); got != want {
			t.Errorf("NormalizeNodeType(%q) = %q, want %q", in, got, want)
		}
	}
}
