package schematest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// recorder collects the walker's errors instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}
func (r *recorder) Fatalf(format string, a ...any) { r.Errorf(format, a...) }

type Kind string

const (
	KindA Kind = "a"
	KindB Kind = "b"
)

type Base struct {
	ID string `json:"id"`
}

type Item struct {
	Base
	Kind   Kind              `json:"kind"`
	At     time.Time         `json:"at"`
	Any    any               `json:"any"`
	Tags   map[string]string `json:"tags,omitempty"`
	Next   *Item             `json:"next"`
	Hidden string            `json:"-"`
	Count  int               `json:"count,omitempty"`
}

// good describes Item exactly; each case below breaks one thing.
const good = `{"$defs": {"Item": {"type": "object", "additionalProperties": false,
  "required": ["id", "kind", "at", "any", "next"],
  "properties": {
    "id": {"type": "string"},
    "kind": {"enum": ["a", "b"]},
    "at": {"type": "string", "format": "date-time"},
    "any": {"description": "anything"},
    "tags": {"type": "object", "additionalProperties": {"type": "string"}},
    "next": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/Item"}]},
    "count": {"type": "integer"}}}}}`

func TestWalker(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"good", "", "", ""},
		{"missing property", `"id": {"type": "string"},`, ``, "Item.id: Go field missing from the schema"},
		{"extra property", `"count": {"type": "integer"}`, `"count": {"type": "integer"}, "extra": {"type": "string"}`, "Item.extra: schema property has no Go field"},
		{"always written, not required", `"id", "kind", `, `"kind", `, "Item.id: always written, but not required"},
		{"omitempty, required", `"next"]`, `"next", "count"]`, "Item.count: omitted when empty, but required"},
		{"not nullable", `{"oneOf": [{"type": "null"}, {"$ref": "#/$defs/Item"}]}`, `{"$ref": "#/$defs/Item"}`, "Item.next: a Go pointer is written as null"},
		{"enum lacks a value", `["a", "b"]`, `["a"]`, `Item.kind: Go value "b" missing from the schema's enum`},
		{"enum has an unknown value", `["a", "b"]`, `["a", "b", "c"]`, `Item.kind: schema enum value "c" is no Go value`},
		{"wrong type", `"count": {"type": "integer"}`, `"count": {"type": "string"}`, `Item.count: schema type [string], Go type int wants "integer"`},
		{"time is a string", `"at": {"type": "string", "format": "date-time"}`, `"at": {"type": "integer"}`, `Item.at: schema type [integer]`},
		{"any is anything", `"any": {"description": "anything"}`, `"any": {"type": "string"}`, `Item.any: Go type interface {} holds any JSON value`},
		{"not strict", `"type": "object", "additionalProperties": false,`, `"type": "object",`, "Item: object must set additionalProperties: false"},
		{"map values", `"additionalProperties": {"type": "string"}`, `"additionalProperties": {"type": "integer"}`, `Item.tags[*]: schema type [integer]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(good, tc.old, tc.new, 1)
			if doc == good && tc.old != "" {
				t.Fatalf("case does not apply: %q", tc.old)
			}
			w, err := New(map[string][]byte{"item.json": []byte(doc)})
			if err != nil {
				t.Fatal(err)
			}
			w.Output = true
			w.Enums = map[reflect.Type][]string{reflect.TypeFor[Kind](): {string(KindA), string(KindB)}}
			r := &recorder{TB: t}
			w.Compare(r, "Item", reflect.TypeFor[Item](), "item.json", "#/$defs/Item")
			switch {
			case tc.want == "" && len(r.errs) > 0:
				t.Errorf("want no error, got %q", r.errs)
			case tc.want != "" && !slices.ContainsFunc(r.errs, func(e string) bool { return strings.Contains(e, tc.want) }):
				t.Errorf("want an error containing %q, got %q", tc.want, r.errs)
			}
		})
	}
}

func TestConstValues(t *testing.T) {
	if got := ConstValues(t, "testdata/consts", "Kind"); !slices.Equal(got, []string{"a", "b"}) { // KindC is untyped
		t.Errorf("by type: got %q", got)
	}
	if got := ConstValuesNamed(t, "testdata/consts", "Kind"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("by name: got %q", got)
	}
}
