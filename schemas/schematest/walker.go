package schematest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Walker holds a set of schema documents, by file name ("plan.schema.json"), so that a $ref to a
// sibling file resolves.
type Walker struct {
	docs map[string]map[string]any
	// Strings are Go types marshalled as JSON strings (time.Time always is).
	Strings []reflect.Type
	// Custom checks a Go type the walker does not descend into (a type with its own JSON form).
	Custom map[reflect.Type]func(t testing.TB, path string, s map[string]any)
	// Enums are the values of Go string types with a fixed value set: where the schema
	// enumerates such a field, the enum must hold exactly these values.
	Enums map[reflect.Type][]string
	// Output says the schema describes what encoding/json writes: a field without omitempty is
	// always written, so it must be required, and a pointer without omitempty must allow null;
	// an omitempty field may be absent, so it must not be required.
	Output bool
	// NeverNil names the always-written pointer fields the code never leaves nil, as
	// "<Go type>.<json name>" ("main.applyReport.plan"): their schema need not allow null.
	NeverNil []string

	seen map[visit]bool
}

// visit is one Go type compared with one schema object, to stop at recursive types.
type visit struct {
	typ    reflect.Type
	schema uintptr
}

// New parses the schema documents, by file name.
func New(docs map[string][]byte) (*Walker, error) {
	w := &Walker{docs: map[string]map[string]any{}}
	for name, doc := range docs {
		var root map[string]any
		if err := json.Unmarshal(doc, &root); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		w.docs[name] = root
	}
	return w, nil
}

// Enum returns the string values of the enum at file#pointer.
func (w *Walker) Enum(t testing.TB, file, pointer string) []string {
	t.Helper()
	n, err := w.ref(file, file+pointer)
	if err != nil {
		t.Fatalf("%s%s: %v", file, pointer, err)
	}
	enum, ok := n.s["enum"].([]any)
	if !ok {
		t.Fatalf("%s%s: no enum", file, pointer)
	}
	out := make([]string, 0, len(enum))
	for _, v := range enum {
		out = append(out, fmt.Sprint(v))
	}
	sort.Strings(out)
	return out
}

// node is a schema and the document its local $refs resolve in.
type node struct {
	doc string
	s   map[string]any
}

// Compare checks that the schema at file#pointer ("" or "#/$defs/Name") describes Go type typ;
// path names typ in the errors.
func (w *Walker) Compare(t testing.TB, path string, typ reflect.Type, file, pointer string) {
	t.Helper()
	n, err := w.ref(file, file+pointer)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	w.compare(t, path, typ, n)
}

// ref resolves a $ref written in document from.
func (w *Walker) ref(from, ref string) (node, error) {
	file, frag, _ := strings.Cut(ref, "#")
	if file == "" {
		file = from
	}
	root, ok := w.docs[file]
	if !ok {
		return node{}, fmt.Errorf("$ref %q: no schema document %s", ref, file)
	}
	var cur any = root
	for _, part := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if part == "" {
			continue
		}
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[part]
			if !ok {
				return node{}, fmt.Errorf("$ref %q: no %s", ref, part)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return node{}, fmt.Errorf("$ref %q: no item %s", ref, part)
			}
			cur = c[i]
		default:
			return node{}, fmt.Errorf("$ref %q: %s is not inside an object or array", ref, part)
		}
	}
	s, ok := cur.(map[string]any)
	if !ok {
		return node{}, fmt.Errorf("$ref %q is not a schema object", ref)
	}
	return node{file, s}, nil
}

// resolve follows $refs, and a oneOf/anyOf with exactly one non-null branch. nullable reports
// whether null was allowed on the way.
func (w *Walker) resolve(n node) (node, bool, error) {
	nullable := false
	for range 20 {
		if types(n.s)["null"] {
			nullable = true
		}
		if ref, ok := n.s["$ref"].(string); ok {
			next, err := w.ref(n.doc, ref)
			if err != nil {
				return n, nullable, err
			}
			n = next
			continue
		}
		branches, _ := n.s["oneOf"].([]any)
		if b, ok := n.s["anyOf"].([]any); ok {
			branches = b
		}
		if branches == nil || n.s["type"] != nil {
			return n, nullable, nil
		}
		var rest []map[string]any
		for _, b := range branches {
			bs, _ := b.(map[string]any)
			if tt := types(bs); len(tt) == 1 && tt["null"] {
				nullable = true
				continue
			}
			rest = append(rest, bs)
		}
		if len(rest) != 1 {
			return n, nullable, fmt.Errorf("%d non-null oneOf/anyOf branches: compare each branch on its own", len(rest))
		}
		n = node{n.doc, rest[0]}
	}
	return n, nullable, fmt.Errorf("$ref loop")
}

// types is the set of JSON types s allows: its type keyword, else those of its const or enum
// values; empty when s does not constrain the type.
func types(s map[string]any) map[string]bool {
	out := map[string]bool{}
	switch tt := s["type"].(type) {
	case string:
		out[tt] = true
		return out
	case []any:
		for _, x := range tt {
			out[fmt.Sprint(x)] = true
		}
		return out
	}
	if c, ok := s["const"]; ok {
		out[jsonType(c)] = true
	}
	if e, ok := s["enum"].([]any); ok {
		for _, v := range e {
			out[jsonType(v)] = true
		}
	}
	return out
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	default:
		return "object"
	}
}

var timeType = reflect.TypeFor[time.Time]()

// wantType is the JSON type encoding/json writes for typ ("" for anything: an interface).
func (w *Walker) wantType(typ reflect.Type) (string, error) {
	if typ == timeType || slices.Contains(w.Strings, typ) {
		return "string", nil
	}
	switch typ.Kind() {
	case reflect.Struct, reflect.Map:
		return "object", nil
	case reflect.Slice, reflect.Array:
		return "array", nil
	case reflect.String:
		return "string", nil
	case reflect.Bool:
		return "boolean", nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer", nil
	case reflect.Float32, reflect.Float64:
		return "number", nil
	case reflect.Interface:
		return "", nil
	}
	return "", fmt.Errorf("unhandled Go kind %s", typ.Kind())
}

func (w *Walker) compare(t testing.TB, path string, typ reflect.Type, n node) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if check, ok := w.Custom[typ]; ok {
		for range 20 {
			ref, ok := n.s["$ref"].(string)
			if !ok {
				break
			}
			next, err := w.ref(n.doc, ref)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				return
			}
			n = next
		}
		check(t, path, n.s)
		return
	}
	n, _, err := w.resolve(n)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	s := n.s
	want, err := w.wantType(typ)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	got := types(s)
	delete(got, "null")
	if want == "" {
		if len(got) > 0 {
			t.Errorf("%s: Go type %s holds any JSON value, the schema allows only %v", path, typ, keys(got))
		}
		return
	}
	// an integer is a number too: a schema "number" accepts a Go float, "integer" a Go int
	if len(got) != 1 || !got[want] {
		t.Errorf("%s: schema type %v, Go type %s wants %q", path, keys(got), typ, want)
		return
	}
	if values, ok := w.Enums[typ]; ok {
		w.compareEnum(t, path, values, s)
	}
	if want == "string" {
		return
	}
	switch typ.Kind() {
	case reflect.Slice:
		items, ok := s["items"].(map[string]any)
		if !ok {
			t.Errorf("%s: array without items", path)
			return
		}
		w.compare(t, path+"[]", typ.Elem(), node{n.doc, items})
	case reflect.Map:
		ap, ok := s["additionalProperties"].(map[string]any)
		if !ok {
			t.Errorf("%s: map without an additionalProperties schema", path)
			return
		}
		w.compare(t, path+"[*]", typ.Elem(), node{n.doc, ap})
	case reflect.Struct:
		v := visit{typ, reflect.ValueOf(s).Pointer()}
		if w.seen[v] {
			return
		}
		if w.seen == nil {
			w.seen = map[visit]bool{}
		}
		w.seen[v] = true
		w.compareStruct(t, path, typ, n)
	}
}

func (w *Walker) compareEnum(t testing.TB, path string, values []string, s map[string]any) {
	t.Helper()
	enum, ok := s["enum"].([]any)
	if !ok {
		return
	}
	var got []string
	for _, v := range enum {
		got = append(got, fmt.Sprint(v))
	}
	for _, v := range values {
		if !slices.Contains(got, v) {
			t.Errorf("%s: Go value %q missing from the schema's enum", path, v)
		}
	}
	for _, v := range got {
		if !slices.Contains(values, v) {
			t.Errorf("%s: schema enum value %q is no Go value", path, v)
		}
	}
}

// field is one JSON field of a struct.
type field struct {
	typ       reflect.Type
	omitEmpty bool
}

// jsonFields lists the fields encoding/json writes for struct typ, embedded structs flattened.
func jsonFields(typ reflect.Type, out map[string]field) {
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				jsonFields(et, out)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		omit := slices.Contains(strings.Split(opts, ","), "omitempty") || slices.Contains(strings.Split(opts, ","), "omitzero")
		out[name] = field{f.Type, omit}
	}
}

func (w *Walker) compareStruct(t testing.TB, path string, typ reflect.Type, n node) {
	t.Helper()
	s := n.s
	if s["additionalProperties"] != false {
		t.Errorf("%s: object must set additionalProperties: false (strict)", path)
	}
	props, _ := s["properties"].(map[string]any)
	required := map[string]bool{}
	if r, ok := s["required"].([]any); ok {
		for _, x := range r {
			required[fmt.Sprint(x)] = true
		}
	}
	goFields := map[string]field{}
	jsonFields(typ, goFields)
	for _, name := range sortedKeys(goFields) {
		f := goFields[name]
		ps, ok := props[name].(map[string]any)
		if !ok {
			t.Errorf("%s.%s: Go field missing from the schema", path, name)
			continue
		}
		if w.Output {
			switch {
			case f.omitEmpty && required[name]:
				t.Errorf("%s.%s: omitted when empty, but required by the schema", path, name)
			case !f.omitEmpty && !required[name]:
				t.Errorf("%s.%s: always written, but not required by the schema", path, name)
			}
			if !f.omitEmpty && f.typ.Kind() == reflect.Pointer && !slices.Contains(w.NeverNil, typ.String()+"."+name) {
				if _, nullable, err := w.resolve(node{n.doc, ps}); err == nil && !nullable {
					t.Errorf("%s.%s: a Go pointer is written as null, the schema does not allow null", path, name)
				}
			}
		}
		w.compare(t, path+"."+name, f.typ, node{n.doc, ps})
	}
	for name := range props {
		if _, ok := goFields[name]; !ok {
			t.Errorf("%s.%s: schema property has no Go field", path, name)
		}
	}
	for name := range required {
		if _, ok := props[name]; !ok {
			t.Errorf("%s: required %q is no property", path, name)
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
