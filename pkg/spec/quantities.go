package spec

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as a Go duration string ("720h", "30m") in YAML.
type Duration struct {
	time.Duration
}

// String renders the duration compactly: "720h", "1h30m", "45s" (time.Duration.String without
// trailing zero units).
func (d Duration) String() string {
	s := d.Duration.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalJSON writes the duration as a compact string such as "720h".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("must be a duration string such as \"30m\" or \"720h\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q: use a number with a unit (s, m, h), e.g. \"720h\"", s)
	}
	d.Duration = v
	return nil
}

// IntOrPercent is a count ("3" or 3) or a percentage ("10%").
type IntOrPercent struct {
	Value     int
	IsPercent bool
}

// String renders it as written: "3" or "10%".
func (q IntOrPercent) String() string {
	if q.IsPercent {
		return strconv.Itoa(q.Value) + "%"
	}
	return strconv.Itoa(q.Value)
}

// MarshalJSON writes a count as a number and a percentage as a string.
func (q IntOrPercent) MarshalJSON() ([]byte, error) {
	if q.IsPercent {
		return json.Marshal(q.String())
	}
	return json.Marshal(q.Value)
}

// UnmarshalJSON accepts 3, "3" or "10%".
func (q *IntOrPercent) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*q = IntOrPercent{Value: n}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("must be a count (3) or a percentage (\"10%%\")")
	}
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
	if err != nil {
		return fmt.Errorf("invalid budget %q: must be N or N%%", s)
	}
	*q = IntOrPercent{Value: v, IsPercent: pct}
	return nil
}

// Resolve turns the quantity into a count of total, rounding percentages up, at least 1 when
// the quantity is positive.
func (q IntOrPercent) Resolve(total int) int {
	if !q.IsPercent {
		return q.Value
	}
	n := (q.Value*total + 99) / 100
	if n < 1 && q.Value > 0 {
		n = 1
	}
	return n
}
