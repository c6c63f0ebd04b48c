package spec

import (
	"testing"
	"time"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Version
		ok   bool
	}{
		{"1.35", Version{1, 35, 0, false}, true},
		{"1.35.3", Version{1, 35, 3, true}, true},
		{"1.0.0", Version{1, 0, 0, true}, true},
		{"v1.35", Version{}, false},
		{"1.35.x", Version{}, false},
		{"1", Version{}, false},
		{"1.35.3.1", Version{}, false},
		{"01.35", Version{}, false},
		{"1.35-rc1", Version{}, false},
		{"1..3", Version{}, false},
		{"", Version{}, false},
		{"1.9999999", Version{}, false},
	} {
		got, err := ParseVersion(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseVersion(%q) = %+v, %v; want %+v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("ParseVersion(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestVersionOrder(t *testing.T) {
	v := func(s string) Version { x, _ := ParseVersion(s); return x }
	ordered := []string{"1.33.10", "1.34", "1.34.2", "1.34.6", "1.35", "1.35.3", "2.0"}
	for i := range ordered {
		for j := range ordered {
			got := v(ordered[i]).Compare(v(ordered[j]))
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	if !v("1.35").Matches(v("1.35.3")) || v("1.35.2").Matches(v("1.35.3")) || !v("1.35.3").Matches(v("1.35.3")) || v("1.34").Matches(v("1.35.1")) {
		t.Error("Matches: a minor matches its patches, an exact version only itself")
	}
	if v("1.35.3").MinorString() != "1.35" {
		t.Error("MinorString")
	}
}

func TestQuantities(t *testing.T) {
	for _, tc := range []struct {
		q     IntOrPercent
		total int
		want  int
	}{
		{IntOrPercent{Value: 2}, 10, 2},
		{IntOrPercent{Value: 10, IsPercent: true}, 10, 1},
		{IntOrPercent{Value: 25, IsPercent: true}, 10, 3},
		{IntOrPercent{Value: 1, IsPercent: true}, 3, 1},
		{IntOrPercent{Value: 100, IsPercent: true}, 7, 7},
	} {
		if got := tc.q.Resolve(tc.total); got != tc.want {
			t.Errorf("%s of %d = %d, want %d", tc.q, tc.total, got, tc.want)
		}
	}
	for d, want := range map[time.Duration]string{
		720 * time.Hour: "720h", 90 * time.Minute: "1h30m", 30 * time.Minute: "30m",
		45 * time.Second: "45s", time.Hour + time.Second: "1h0m1s", 0: "0s", 1500 * time.Millisecond: "1.5s",
	} {
		if got := (Duration{d}).String(); got != want {
			t.Errorf("Duration(%v).String() = %q, want %q", d, got, want)
		}
		back, err := time.ParseDuration(want)
		if err != nil || back != d {
			t.Errorf("%q does not parse back to %v", want, d)
		}
	}
}
