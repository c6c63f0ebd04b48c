package spec

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// This file resolves plain YAML scalars the way sigs.k8s.io/yaml sees them: go-yaml v2 applies
// YAML 1.1 rules (yes/no/on/off are booleans, 017 is octal), unlike the YAML 1.2 rules of the
// go.yaml.in/yaml/v3 parser the loader uses. It is a port of go-yaml v2's resolve for an untagged
// plain scalar decoded into interface{}, so that the loader needs no second parse to know what
// sigs.k8s.io/yaml would make of a value.

// yaml11Bools are the YAML 1.1 booleans that sigs.k8s.io/yaml (go-yaml v2) recognizes.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "false": false, "False": false, "FALSE": false, "off": false, "Off": false, "OFF": false,
}

// yaml11Specials are go-yaml v2's other plain scalars with a fixed meaning.
var yaml11Specials = map[string]any{
	"": nil, "~": nil, "null": nil, "Null": nil, "NULL": nil,
	".nan": math.NaN(), ".NaN": math.NaN(), ".NAN": math.NaN(),
	".inf": math.Inf(1), ".Inf": math.Inf(1), ".INF": math.Inf(1),
	"+.inf": math.Inf(1), "+.Inf": math.Inf(1), "+.INF": math.Inf(1),
	"-.inf": math.Inf(-1), "-.Inf": math.Inf(-1), "-.INF": math.Inf(-1),
}

// yamlStyleFloat is go-yaml v2's float syntax for scalars that start with a digit or a sign.
var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// resolvePlain returns what go-yaml v2 decodes an untagged plain scalar into, inside an
// interface{}: nil, bool, int, int64, uint64, float64 or string. A timestamp stays its text, as
// go-yaml v2 keeps it for interface{} targets.
func resolvePlain(s string) any {
	if b, ok := yaml11Bools[s]; ok {
		return b
	}
	if v, ok := yaml11Specials[s]; ok {
		return v
	}
	if s == "" {
		return s
	}
	switch c := s[0]; {
	case c == '.':
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		return resolveNumber(s)
	}
	return s
}

// resolveNumber is go-yaml v2's int and float resolution (underscores ignored, base prefixes
// 0x, 0o, 0b and a leading 0 for octal), else the text itself. It needs no timestamp case: a
// timestamp is never a number, and decodes to its text.
func resolveNumber(s string) any {
	plain := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return intValue(i)
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return u
	}
	if yamlStyleFloat.MatchString(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return f
		}
	}
	switch {
	case strings.HasPrefix(plain, "0b"):
		if i, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
			return intValue(i)
		}
		if u, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return u
		}
	case strings.HasPrefix(plain, "-0b"):
		if i, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return int(i)
		}
	}
	return s
}

// intValue is an int when it fits, as go-yaml v2 returns it.
func intValue(i int64) any {
	if i == int64(int(i)) {
		return int(i)
	}
	return i
}
