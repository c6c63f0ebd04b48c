package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// This file checks and decodes scalar nodes. A value is stored as sigs.k8s.io/yaml stores it:
// go-yaml v2 resolves the scalar (resolvePlain), sigs.k8s.io/yaml writes that as JSON, and
// encoding/json stores the JSON in the Go field. The checks reject every scalar whose value
// would differ from what was written; what remains is stored directly, and anything
// encoding/json would still refuse sets the walker's fallback.

func (w *walker) scalar(n *yaml.Node, path, what string) bool {
	if n.Kind != yaml.ScalarNode {
		w.errorf(n, path, "", "must be %s, not %s", what, kindName(n))
		return false
	}
	return true
}

func plain(n *yaml.Node) bool {
	return n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

// sigsValue is the value sigs.k8s.io/yaml hands encoding/json for scalar n: the text of a quoted
// or block scalar, else its YAML 1.1 resolution.
func sigsValue(n *yaml.Node) any {
	if !plain(n) {
		return n.Value
	}
	return resolvePlain(n.Value)
}

// str stores a string. The check leaves only scalars that sigs.k8s.io/yaml reads as their own
// text, so the value is the text.
func (w *walker) str(n *yaml.Node, v reflect.Value, path string) {
	if !w.scalar(n, path, "a string") {
		return
	}
	if s, changed := sigsString(n); changed {
		w.errorf(n, path, fmt.Sprintf("quote it: %q", n.Value), "unquoted %s is read as %q", n.Value, s)
		return
	}
	v.SetString(n.Value)
}

// sigsString returns what sigs.k8s.io/yaml makes of a scalar decoded into a string field (numbers
// and booleans are formatted back into text), and whether that differs from what was written.
func sigsString(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || !plain(n) {
		return n.Value, false
	}
	var s string
	switch v := resolvePlain(n.Value).(type) {
	case string:
		s = v
	case int:
		s = strconv.Itoa(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case uint64:
		s = strconv.FormatUint(v, 10)
	case float64:
		s = strconv.FormatFloat(v, 'g', -1, 32)
	case bool:
		s = strconv.FormatBool(v)
	case nil:
		return "", n.Value != ""
	default:
		return n.Value, false
	}
	return s, s != n.Value
}

func (w *walker) boolean(n *yaml.Node, v reflect.Value, path string) {
	if !w.scalar(n, path, "true or false") {
		return
	}
	if b, ok := yaml11Bools[n.Value]; ok && plain(n) {
		v.SetBool(b)
		return
	}
	hint := ""
	if _, ok := yaml11Bools[n.Value]; ok {
		hint = "remove the quotes"
	}
	w.errorf(n, path, hint, "must be true or false, not %s", kindName(n))
}

// number parses a plain scalar as go-yaml v2 would resolve an int or a float.
func number(n *yaml.Node) (float64, bool) {
	if !plain(n) {
		return 0, false
	}
	s := strings.ReplaceAll(n.Value, "_", "")
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(i), true
	}
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return float64(u), true
	}
	if strings.ContainsAny(s, "xXoObB") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func (w *walker) integer(n *yaml.Node, v reflect.Value, path string) {
	if !w.scalar(n, path, "an integer") {
		return
	}
	f, ok := number(n)
	if !ok || f != math.Trunc(f) {
		hint := ""
		if _, err := strconv.Atoi(n.Value); err == nil {
			hint = "remove the quotes"
		}
		w.errorf(n, path, hint, "must be an integer, not %s", kindName(n))
		return
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	switch v.Kind() {
	case reflect.Int32:
		lo, hi = math.MinInt32, math.MaxInt32
	case reflect.Uint32:
		lo, hi = 0, math.MaxUint32
	case reflect.Uint, reflect.Uint64:
		lo, hi = 0, 1<<53
	case reflect.Int, reflect.Int64:
		lo, hi = -(1 << 53), 1<<53
	case reflect.Int8, reflect.Int16, reflect.Uint8, reflect.Uint16:
		lo, hi = 0, 0 // not used by the spec types
	}
	if f < lo || f > hi {
		w.errorf(n, path, "", "integer %s out of range", n.Value)
		return
	}
	w.setNumber(n, v)
}

func (w *walker) float(n *yaml.Node, v reflect.Value, path string) {
	if !w.scalar(n, path, "a number") {
		return
	}
	if _, ok := number(n); !ok {
		w.errorf(n, path, "", "must be a number, not %s", kindName(n))
		return
	}
	w.setNumber(n, v)
}

// setNumber stores plain scalar n in numeric v as encoding/json stores the JSON number
// sigs.k8s.io/yaml writes for it (a float32 field gets the JSON text rounded to 32 bits). A value
// encoding/json refuses (a string, -0 for an unsigned field, an overflow) sets fallback.
func (w *walker) setNumber(n *yaml.Node, v reflect.Value) {
	text, ok := jsonNumber(resolvePlain(n.Value))
	if !ok {
		w.fallback = true
		return
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil || v.OverflowInt(i) {
			w.fallback = true
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := strconv.ParseUint(text, 10, 64)
		if err != nil || v.OverflowUint(u) {
			w.fallback = true
			return
		}
		v.SetUint(u)
	default: // reflect.Float32, reflect.Float64
		f, err := strconv.ParseFloat(text, v.Type().Bits())
		if err != nil || v.OverflowFloat(f) {
			w.fallback = true
			return
		}
		v.SetFloat(f)
	}
}

// jsonNumber is the JSON text encoding/json writes for a resolved YAML number; ok is false for
// anything else, and for NaN and infinities, which JSON cannot hold.
func jsonNumber(r any) (string, bool) {
	switch x := r.(type) {
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float64:
		b, err := json.Marshal(x)
		return string(b), err == nil
	}
	return "", false
}

func (w *walker) duration(n *yaml.Node, v reflect.Value, path string) {
	if !w.scalar(n, path, "a duration") {
		return
	}
	if _, isString := sigsValue(n).(string); !isString {
		w.errorf(n, path, "add a unit, e.g. \"720h\"", "must be a duration string such as \"30m\" or \"720h\", not %s", n.Value)
		return
	}
	if _, err := time.ParseDuration(n.Value); err != nil {
		w.errorf(n, path, "use a number with a unit (s, m, h), e.g. \"720h\"", "invalid duration %q", n.Value)
		return
	}
	w.unmarshalJSON(n, v)
}

func (w *walker) quantity(n *yaml.Node, v reflect.Value, path string) {
	if !w.scalar(n, path, "a count or a percentage") {
		return
	}
	ok := false
	switch r := sigsValue(n).(type) {
	case int:
		ok = true
	case string:
		_, err := strconv.Atoi(strings.TrimSuffix(r, "%"))
		ok = err == nil
	}
	if !ok {
		w.errorf(n, path, "write a count such as 1, or a percentage such as \"10%\"", "must be a count or a percentage, not %s", kindName(n))
		return
	}
	w.unmarshalJSON(n, v)
}

// unmarshalJSON stores scalar n in v through v's json.Unmarshaler, given the JSON
// sigs.k8s.io/yaml would give it. An error sets fallback, for sigs.k8s.io/yaml to word it.
func (w *walker) unmarshalJSON(n *yaml.Node, v reflect.Value) {
	b, err := json.Marshal(sigsValue(n))
	if err == nil {
		err = v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b)
	}
	if err != nil {
		w.fallback = true
	}
}

var jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// null stores a YAML null as encoding/json stores the JSON null sigs.k8s.io/yaml writes for it:
// nothing changes, except that a json.Unmarshaler held by value (not by pointer) is called with
// it. An error from that call sets fallback.
func (w *walker) null(v reflect.Value) {
	if v.Kind() == reflect.Pointer || v.Type().Name() == "" || !reflect.PointerTo(v.Type()).Implements(jsonUnmarshalerType) {
		return
	}
	if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON([]byte("null")); err != nil {
		w.fallback = true
	}
}
