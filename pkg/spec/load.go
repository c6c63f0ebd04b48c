package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/scaleway-gitops/reconciler/pkg/repofs"
)

// Repository layout (docs/contracts.md §1).
const (
	ClustersDir  = "clusters"
	SettingsFile = "reconciler.yaml"
)

// Repo is a loaded, defaulted and validated repository.
type Repo struct {
	// Settings is reconciler.yaml, or the zero Settings when the file is absent.
	Settings *Settings
	// Clusters are every Cluster document under clusters/, with repo defaults merged and
	// built-in defaults applied, in file then line order.
	Clusters []*Cluster
	// Files is the number of spec files read under clusters/.
	Files int
}

// Load reads the repository at the root of fsys: every `kind: Cluster` document in the *.yaml and
// *.yml files under clusters/ (any depth, several documents per file), and reconciler.yaml when
// present. It decodes strictly, merges the repo defaults, applies the built-in defaults and
// validates everything.
//
// When anything is wrong it returns a nil Repo and an ErrorList holding every problem found,
// sorted by file and line. It never panics, whatever the input.
func Load(fsys fs.FS) (*Repo, error) {
	l := &loader{fsys: fsys}
	repo := l.load()
	if len(l.errs) > 0 {
		return nil, l.errs.normalize()
	}
	return repo, nil
}

type loader struct {
	fsys fs.FS
	errs ErrorList
	// docCount counts the YAML documents split so far, against maxDocuments.
	docCount int
}

// loaded is one decoded document and the index of its field positions.
type loaded[T any] struct {
	val *T
	idx *docIndex
}

func (l *loader) fileError(file, format string, args ...any) {
	l.errs = append(l.errs, FieldError{File: file, Message: fmt.Sprintf(format, args...)})
}

func (l *loader) load() *Repo {
	before := len(l.errs)
	settings, sidx := l.loadSettings()
	settingsOK := len(l.errs) == before
	files := l.specFiles()
	var docs []loaded[Cluster]
	var total int
	for _, p := range files {
		data, ok := l.readClusterFile(p)
		if total += len(data); total > maxSpecBytes {
			l.tooLarge() // the files grew since they were listed
			break
		}
		if ok {
			docs = append(docs, l.clusterDocs(p, data)...)
		}
		if l.docCount > maxDocuments {
			break
		}
	}
	repo := &Repo{Settings: settings, Files: len(files)}
	for _, d := range docs {
		origins := applySettings(d.val, settings)
		Default(d.val)
		repo.Clusters = append(repo.Clusters, d.val)
		loc := &locator{doc: d.idx, settings: sidx, origins: origins}
		d.val.Positions = loc.positions(d.val)
		if !settingsOK {
			continue // a cluster is validated only with the defaults it would really inherit
		}
		var is issues
		validateCluster(&is, d.val, d.idx.has)
		for _, i := range is {
			l.errs = append(l.errs, loc.fieldError(i))
		}
	}
	l.duplicateClusters(docs)
	return repo
}

// loadSettings reads reconciler.yaml, if present.
func (l *loader) loadSettings() (*Settings, *docIndex) {
	data, err := repofs.ReadFile(l.fsys, SettingsFile, maxSettingsSize)
	if errors.Is(err, fs.ErrNotExist) {
		return &Settings{}, nil
	}
	if err != nil {
		l.readError(SettingsFile, err)
		return &Settings{}, nil
	}
	var docs []loaded[Settings]
	for _, c := range l.documents(SettingsFile, data) {
		if d, ok := decodeDoc[Settings](l, SettingsFile, c, KindSettings, false); ok {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return &Settings{}, nil
	}
	if len(docs) > 1 {
		l.errs = append(l.errs, FieldError{File: SettingsFile, Line: docs[1].idx.start.line, Column: 1, Message: "reconciler.yaml must hold a single document"})
	}
	var is issues
	validateSettings(&is, docs[0].val)
	loc := &locator{doc: docs[0].idx}
	for _, i := range is {
		l.errs = append(l.errs, loc.fieldError(i))
	}
	return docs[0].val, docs[0].idx
}

// readClusterFile reads one spec file, at most maxFileSize bytes.
func (l *loader) readClusterFile(p string) ([]byte, bool) {
	data, err := repofs.ReadFile(l.fsys, p, maxFileSize)
	if err != nil {
		l.readError(p, err)
		return nil, false
	}
	return data, true
}

// clusterDocs decodes every Cluster document of one file.
func (l *loader) clusterDocs(p string, data []byte) []loaded[Cluster] {
	before := len(l.errs)
	chunks := l.documents(p, data)
	if len(chunks) == 0 && len(l.errs) == before {
		l.errs = append(l.errs, FieldError{File: p, Message: "no Cluster document in file", Hint: "add a Cluster or delete the file"})
		return nil
	}
	var out []loaded[Cluster]
	for _, c := range chunks {
		d, ok := decodeDoc[Cluster](l, p, c, KindCluster, true)
		if ok {
			d.val.Source = Source{File: p, Line: d.idx.start.line}
			out = append(out, d)
		}
	}
	return out
}

// chunk is the text of one YAML document and its parsed root.
type chunk struct {
	data []byte
	line int // 1-based line of the chunk's first line in the file
	root *yaml.Node
}

var docMarker = regexp.MustCompile(`^(---|\.\.\.)([ \t\r\n]|$)`)

// documents splits a file into its non-empty YAML documents and parses each. Splitting on the
// `---` and `...` marker lines is exact: YAML forbids those lines inside any scalar. Syntax errors
// are recorded with their line.
func (l *loader) documents(file string, data []byte) []chunk {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var raw []chunk
	start, startLine, line := 0, 1, 1
	for off := 0; off < len(data); line++ {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		text := data[off:next]
		if docMarker.Match(text) {
			if text[0] == '-' { // a new document starts on this line
				raw = append(raw, chunk{data: data[start:off], line: startLine})
				start, startLine = off, line
			} else { // "..." ends the document on this line
				raw = append(raw, chunk{data: data[start:next], line: startLine})
				start, startLine = next, line+1
			}
		}
		off = next
	}
	raw = append(raw, chunk{data: data[start:], line: startLine})
	if l.docCount += len(raw); l.docCount > maxDocuments {
		l.errs = append(l.errs, FieldError{File: file, Message: fmt.Sprintf("too many YAML documents: over the %d-document limit of a revision", maxDocuments), Hint: boundsHint})
		return nil
	}

	var out []chunk
	for _, c := range raw {
		var doc yaml.Node
		err := safeCall(func() error { return decodeOne(c.data, &doc) })
		if err != nil {
			l.errs = append(l.errs, syntaxError(file, c, err))
			continue
		}
		if doc.Kind == 0 || len(doc.Content) == 0 || (doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].ShortTag() == "!!null" && doc.Content[0].Value == "") {
			continue // empty document (only comments or markers)
		}
		c.root = doc.Content[0]
		out = append(out, c)
	}
	return out
}

// decodeOne parses exactly one YAML document (a chunk never holds two: see documents).
func decodeOne(data []byte, doc *yaml.Node) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(doc); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return err
		}
		return fmt.Errorf("yaml: line %d: unexpected second document", extra.Line)
	}
	return nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a go-yaml parse error into a positioned error.
func syntaxError(file string, c chunk, err error) FieldError {
	msg := err.Error()
	fe := FieldError{File: file, Line: c.line, Column: 1, Message: "YAML syntax error: " + strings.TrimPrefix(msg, "yaml: ")}
	text, from := strings.TrimPrefix(msg, "yaml: "), 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		text = m[2]
		from, _ = strconv.Atoi(m[1])
	}
	// a parser error: go-yaml's line is the enclosing block's, find the problem's own
	if strings.HasPrefix(text, "did not find expected ") {
		if ln, col, ok := problemLine(c.data, from, text); ok {
			fe.Line, fe.Column = c.line+ln-1, col
			fe.Message, fe.Hint = "YAML syntax error: "+text, parserErrorHint(text)
			return fe
		}
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		fe.Line = c.line + n - 1
		fe.Message = "YAML syntax error: " + m[2]
		// go-yaml may report a tab problem on a neighbouring line: point at the tab itself.
		lines := bytes.Split(c.data, []byte("\n"))
		for _, ln := range []int{n, n + 1, n - 1} {
			if ln < 1 || ln > len(lines) {
				continue
			}
			if i := bytes.IndexByte(lines[ln-1], '\t'); i >= 0 && strings.Contains(m[2], "tab") {
				fe.Line, fe.Column = c.line+ln-1, i+1
				fe.Hint = "indent with spaces: YAML does not allow tabs"
				break
			}
		}
	}
	return fe
}

// problemLine finds the line (1-based, in data) and column of a parser error: go-yaml names the
// line before the block or flow that encloses the problem (a list's parent key, the document's
// first line), often far above the mistake, so the first prefix of the document that ends at or
// after line from and fails with the same message ends at the problem's line. The scan is
// bounded (the repository is untrusted): past maxLines lines or maxParsed bytes parsed in all,
// go-yaml's line stands.
func problemLine(data []byte, from int, text string) (line, col int, ok bool) {
	const maxLines, maxParsed = 500, 16 << 20
	lines := bytes.SplitAfter(data, []byte("\n"))
	end, parsed := 0, 0
	for k := 1; k <= len(lines) && k < from+maxLines; k++ {
		end += len(lines[k-1])
		trimmed := bytes.TrimLeft(lines[k-1], " ")
		if k < from || len(bytes.TrimSpace(trimmed)) == 0 || trimmed[0] == '#' {
			continue // before the enclosing block, or a blank or comment line: never the problem
		}
		if parsed += end; parsed > maxParsed {
			return 0, 0, false
		}
		var doc yaml.Node
		err := safeCall(func() error { return decodeOne(data[:end], &doc) })
		if err != nil && strings.HasSuffix(err.Error(), text) {
			return k, len(lines[k-1]) - len(trimmed) + 1, true
		}
	}
	return 0, 0, false
}

// parserErrorHint says what to do about a parser error problemLine located.
func parserErrorHint(text string) string {
	switch {
	case strings.Contains(text, "',' or '}'"), strings.Contains(text, "',' or ']'"):
		return "close the { or [ opened on this line (or write the value in block style)"
	case strings.Contains(text, "'-' indicator"), strings.Contains(text, "expected key"):
		return "check this line's indentation: a key lines up with the keys beside it, a list item's keys with the first one after its \"- \""
	}
	return ""
}

// decodeDoc checks one document's structure against T and decodes it from the same parse (see
// walker). wantKind is required when kindRequired, else optional.
func decodeDoc[T any](l *loader, file string, c chunk, wantKind string, kindRequired bool) (loaded[T], bool) {
	w := newWalker(file, c)
	root := deref(c.root)
	if root == nil {
		return loaded[T]{}, false
	}
	w.idx.start = w.pos(root)
	if root.Kind != yaml.MappingNode {
		w.errorf(root, "", "", "a document must be a mapping with apiVersion, kind, metadata and spec, not %s", kindName(root))
		l.errs = append(l.errs, w.errs...)
		return loaded[T]{}, false
	}
	kind, kindNode := topScalar(root, "kind")
	switch {
	case kindNode == nil && kindRequired:
		w.errorf(root, "kind", "add `kind: "+wantKind+"`", "required")
		l.errs = append(l.errs, w.errs...)
		return loaded[T]{}, false
	case kindNode != nil && kind != wantKind:
		hint := ""
		if file != SettingsFile {
			hint = "files under clusters/ hold only Cluster documents"
		}
		w.errorf(kindNode, "kind", hint, "must be %s, not %q", wantKind, kind)
		l.errs = append(l.errs, w.errs...)
		return loaded[T]{}, false
	}
	if v, n := topScalar(root, "apiVersion"); n != nil && v != APIVersion {
		w.errorf(n, "apiVersion", "apiVersion: "+APIVersion, "unsupported API version %q", v)
	} else if n == nil && kindRequired {
		w.errorf(root, "apiVersion", "apiVersion: "+APIVersion, "required")
	}
	v := new(T)
	w.walk(root, reflect.ValueOf(v).Elem(), "")
	if len(w.errs) > 0 {
		l.errs = append(l.errs, w.errs...)
		return loaded[T]{}, false
	}
	if w.fallback {
		v = new(T)
		if err := safeCall(func() error { return sigsyaml.UnmarshalStrict(c.data, v) }); err != nil {
			l.errs = append(l.errs, FieldError{File: file, Line: w.idx.start.line, Column: w.idx.start.col, Message: "cannot decode: " + cleanDecodeError(err)})
			return loaded[T]{}, false
		}
	}
	return loaded[T]{val: v, idx: w.idx}, true
}

func cleanDecodeError(err error) string {
	s := err.Error()
	for _, p := range []string{"error converting YAML to JSON: ", "error unmarshaling JSON: ", "while decoding JSON: ", "yaml: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}

// topScalar returns the scalar value of a top-level key and its node.
func topScalar(root *yaml.Node, key string) (string, *yaml.Node) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			v := deref(root.Content[i+1])
			if v == nil || v.Kind != yaml.ScalarNode {
				return "", root.Content[i+1]
			}
			return v.Value, v
		}
	}
	return "", nil
}

// duplicateClusters reports every cluster name declared more than once. Scaleway names are unique
// per project and region, but the repository keys status/<name>.yaml and reports/<name>.md by name
// alone (docs/contracts.md §1), so a name may appear once per repository.
func (l *loader) duplicateClusters(docs []loaded[Cluster]) {
	byKey := map[string][]loaded[Cluster]{}
	var keys []string
	for _, d := range docs {
		k := d.val.Metadata.Name
		if _, seen := byKey[k]; !seen {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], d)
	}
	for _, k := range keys {
		ds := byKey[k]
		if len(ds) < 2 {
			continue
		}
		for i, d := range ds {
			var others []string
			for j, o := range ds {
				if j != i {
					p := o.idx.nearest("metadata.name")
					others = append(others, fmt.Sprintf("%s:%d:%d", o.idx.file, p.line, p.col))
				}
			}
			p := d.idx.nearest("metadata.name")
			l.errs = append(l.errs, FieldError{
				File: d.idx.file, Line: p.line, Column: p.col, Path: "metadata.name",
				Message: fmt.Sprintf("cluster name %q is declared more than once: also at %s", k, strings.Join(others, ", ")),
				Hint:    "keep one declaration; clusters in other regions or projects need distinct names here, since status/<name>.yaml is per name",
			})
		}
	}
}

// locator places validation issues of one cluster in the files: a value inherited from
// reconciler.yaml is reported there, under its path in that file (so that a bad default is
// reported once, not once per cluster); anything else at the field or its closest written
// ancestor.
type locator struct {
	doc      *docIndex
	settings *docIndex
	origins  map[string]string // cluster path → settings path it was filled from
}

func (l *locator) fieldError(i issue) FieldError {
	file, at, p := l.position(i.path)
	return FieldError{File: file, Line: at.line, Column: at.col, Path: p, Message: i.msg, Hint: i.hint}
}

// position locates path: the file, the position, and the path in that file.
func (l *locator) position(path string) (string, pos, string) {
	idx, p := l.doc, path
	for q := path; q != "" && l.settings != nil; q = parentPath(q) {
		if sp, ok := l.origins[q]; ok {
			idx, p = l.settings, sp+path[len(q):]
			break
		}
	}
	return idx.file, idx.nearest(p), p
}
