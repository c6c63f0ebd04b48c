package spec

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// This file checks a parsed YAML document against the Go types and decodes it in the same walk:
// unknown fields (case-sensitive), duplicate keys, wrong node kinds and scalars that
// sigs.k8s.io/yaml would reject or silently change are errors; every other value is stored as
// sigs.k8s.io/yaml (YAML 1.1 scalars, then encoding/json with the types' json tags) would store
// it. It also records the position of every field path, so that later validation errors can point
// at a line and column.

// pos is a 1-based position in a file.
type pos struct{ line, col int }

// maxNodes bounds the work on one document, aliases included (a "billion laughs" document is
// rejected instead of expanded).
const maxNodes = 200_000

// docIndex maps the field paths of one document to the position of their key (or item).
type docIndex struct {
	file  string
	start pos
	at    map[string]pos
}

// has reports whether the document wrote the path.
func (d *docIndex) has(path string) bool {
	_, ok := d.at[path]
	return ok
}

// nearest returns the position of the path or of its closest written ancestor.
func (d *docIndex) nearest(path string) pos {
	for p := path; p != ""; p = parentPath(p) {
		if at, ok := d.at[p]; ok {
			return at
		}
	}
	return d.start
}

// parentPath strips the last segment: "a.b[2]" → "a.b", "a.b" → "a", "a" → "".
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

func childPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// walker checks and decodes one document.
type walker struct {
	idx     *docIndex
	lineOff int // added to node lines: the document's first line in the file, minus one
	errs    []FieldError
	budget  int
	// fallback is set when the document holds something this decoder does not reproduce
	// exactly: an explicit tag (go-yaml v2 and v3 read tags differently), or a value that
	// encoding/json would refuse although it passed the checks. Such a document is decoded by
	// sigs.k8s.io/yaml instead (see decodeDoc), for the same values and errors as ever.
	fallback bool
	tags     *tagFinder // nil when the document's text holds no '!', hence no tag
}

func newWalker(file string, c chunk) *walker {
	return &walker{
		idx:     &docIndex{file: file, at: make(map[string]pos, 64)},
		lineOff: c.line - 1,
		budget:  maxNodes,
		tags:    newTagFinder(c.data),
	}
}

func (w *walker) pos(n *yaml.Node) pos { return pos{n.Line + w.lineOff, n.Column} }

// maxDocErrors bounds the structural errors reported for one document.
const maxDocErrors = 50

func (w *walker) errorf(n *yaml.Node, path, hint, format string, args ...any) {
	if len(w.errs) > maxDocErrors {
		return
	}
	p := w.pos(n)
	if len(w.errs) == maxDocErrors {
		w.errs = append(w.errs, FieldError{File: w.idx.file, Line: p.line, Column: p.col, Path: path, Message: "too many errors in this document; fix the ones above first"})
		return
	}
	w.errs = append(w.errs, FieldError{File: w.idx.file, Line: p.line, Column: p.col, Path: path, Message: fmt.Sprintf(format, args...), Hint: hint})
}

var (
	durationType = reflect.TypeFor[Duration]()
	quantityType = reflect.TypeFor[IntOrPercent]()
)

// walk checks node n against the type of v at path, and decodes it into v (settable, and
// zero when the walk starts). v holds the document's value only when the walk reports no error
// and leaves fallback unset.
func (w *walker) walk(n *yaml.Node, v reflect.Value, path string) {
	w.budget--
	if w.budget < 0 {
		if w.budget == -1 {
			w.errorf(n, path, "", "document too large or too deeply aliased (over %d nodes)", maxNodes)
		}
		return
	}
	n = deref(n)
	if n == nil {
		return
	}
	w.checkTag(n)
	if isNull(n) {
		w.null(v)
		return // null leaves the zero value, as in JSON
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	switch t := v.Type(); {
	case t == durationType:
		w.duration(n, v, path)
		return
	case t == quantityType:
		w.quantity(n, v, path)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		w.object(n, v, path)
	case reflect.Map:
		w.mapping(n, v, path)
	case reflect.Slice:
		w.sequence(n, v, path)
	case reflect.String:
		w.str(n, v, path)
	case reflect.Bool:
		w.boolean(n, v, path)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		w.integer(n, v, path)
	case reflect.Float32, reflect.Float64:
		w.float(n, v, path)
	default:
		w.errorf(n, path, "", "unsupported field type %s", v.Type())
	}
}

// deref follows aliases to the anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "empty"
}

// fieldInfo is one JSON-tagged struct field.
type fieldInfo struct {
	name  string
	index int
}

var fieldCache sync.Map // reflect.Type → []fieldInfo

// jsonFields lists the JSON-visible fields of a struct type, in declaration order.
func jsonFields(t reflect.Type) []fieldInfo {
	if v, ok := fieldCache.Load(t); ok {
		return v.([]fieldInfo)
	}
	var fs []fieldInfo
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs = append(fs, fieldInfo{name: name, index: i})
	}
	fieldCache.Store(t, fs)
	return fs
}

// pair is one effective key/value of a mapping, after merge keys.
type pair struct{ k, v *yaml.Node }

// pairs returns the effective pairs of mapping n: explicit keys first (duplicates reported),
// then keys brought in by `<<` merge keys that are not set explicitly.
func (w *walker) pairs(n *yaml.Node, path string) []pair {
	var out []pair
	seen := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			w.errorf(k, path, "", "mapping keys must be strings, not %s", kindName(deref(k)))
			continue
		}
		w.checkTag(k)
		if first, dup := seen[k.Value]; dup {
			w.errorf(k, childPath(path, k.Value), "", "duplicate key %q (first at line %d)", k.Value, first.Line+w.lineOff)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, v})
	}
	for _, m := range merges {
		if m.Kind == yaml.AliasNode && m.Alias != nil && m.Alias.Kind == yaml.SequenceNode {
			w.fallback = true // go-yaml v2 merges a list of mappings only when written in place
		}
		m = deref(m)
		var srcs []*yaml.Node
		switch {
		case m == nil:
		case m.Kind == yaml.MappingNode:
			srcs = []*yaml.Node{m}
		case m.Kind == yaml.SequenceNode:
			for _, s := range m.Content {
				srcs = append(srcs, deref(s))
			}
		}
		if len(srcs) == 0 {
			w.errorf(m, path, "", "merge key << must refer to a mapping")
			continue
		}
		for _, s := range srcs {
			if s == nil || s.Kind != yaml.MappingNode {
				w.errorf(n, path, "", "merge key << must refer to a mapping")
				continue
			}
			w.budget -= len(s.Content)
			if w.budget < 0 {
				return out
			}
			for _, p := range w.pairs(s, path) {
				if k, set := seen[p.k.Value]; set {
					// go-yaml v2 in strict mode (sigs.k8s.io/yaml UnmarshalStrict) rejects this.
					w.errorf(k, childPath(path, p.k.Value), "strict YAML does not let a key override a merged one: drop the << merge or this key",
						"key %q is also set by the merge key << (line %d)", p.k.Value, p.k.Line+w.lineOff)
					continue
				}
				seen[p.k.Value] = p.k
				out = append(out, p)
			}
		}
	}
	return out
}

func (w *walker) object(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		w.errorf(n, path, "", "must be a mapping of fields, not %s", kindName(n))
		return
	}
	fields := jsonFields(v.Type())
	for _, p := range w.pairs(n, path) {
		name := p.k.Value
		i := slices.IndexFunc(fields, func(f fieldInfo) bool { return f.name == name })
		fp := childPath(path, name)
		if i < 0 {
			w.errorf(p.k, fp, suggestField(name, fields), "unknown field %q", name)
			continue
		}
		if _, changed := sigsString(p.k); changed {
			w.fallback = true // sigs.k8s.io/yaml would look for another field name
		}
		w.idx.at[fp] = w.pos(p.k)
		w.walk(p.v, v.Field(fields[i].index), fp)
	}
}

func (w *walker) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		w.errorf(n, path, "", "must be a mapping, not %s", kindName(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type())) // as encoding/json: {} is an empty map, not nil
	}
	for _, p := range w.pairs(n, path) {
		kp := path + "[" + p.k.Value + "]"
		if s, changed := sigsString(p.k); changed {
			w.errorf(p.k, kp, fmt.Sprintf("quote it: %q", p.k.Value), "key %s is read as %q", p.k.Value, s)
			continue
		}
		switch sigsValue(p.k).(type) {
		case nil, uint64:
			w.fallback = true // sigs.k8s.io/yaml refuses these keys
		}
		w.idx.at[kp] = w.pos(p.k)
		elem := reflect.New(v.Type().Elem()).Elem()
		w.walk(p.v, elem, kp)
		v.SetMapIndex(reflect.ValueOf(p.k.Value).Convert(v.Type().Key()), elem)
	}
}

func (w *walker) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		w.errorf(n, path, "", "must be a list, not %s", kindName(n))
		return
	}
	v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))) // [] is empty, not nil
	for i, item := range n.Content {
		ip := path + "[" + strconv.Itoa(i) + "]"
		w.idx.at[ip] = w.pos(item)
		w.walk(item, v.Index(i), ip)
	}
}

// safeCall turns a panic in a third-party parser into an error: no input may crash the loader.
func safeCall(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal parser error: %v", r)
		}
	}()
	return f()
}
