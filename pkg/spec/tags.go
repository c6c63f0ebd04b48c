package spec

import (
	"bytes"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Explicit tags are left to sigs.k8s.io/yaml: go-yaml v2 (under sigs.k8s.io/yaml) and go-yaml v3
// (the loader's parser) read them differently (`!!binary aGk=` is "hi" for v2, `!!int "012"`
// is 10), so a document holding one is decoded by sigs.k8s.io/yaml, as it always was.
//
// go-yaml v3 marks every explicit tag with TaggedStyle but one: it drops the non-specific tag
// "!" from its node, so that `! 12` is the int 12 there, whereas go-yaml v2 makes it the string
// "12". Only the document's text shows that tag. A node's position is that of its first property
// (a tag or an anchor), and a plain scalar never starts with '!' or '&', so a plain scalar whose
// position holds one of those may carry "!".

// checkTag sets fallback when node n carries an explicit tag.
func (w *walker) checkTag(n *yaml.Node) {
	if n.Style&yaml.TaggedStyle != 0 || n.Kind == yaml.ScalarNode && plain(n) && w.tags.hasProperty(n) {
		w.fallback = true
	}
}

// tagFinder locates nodes in the text of a document that holds a '!'.
type tagFinder struct {
	data  []byte
	lines []int // offset of each line's first byte, computed when first needed
	// odd is set when the text has line breaks other than \n and \r\n, or starts with a byte
	// order mark: go-yaml's positions cannot be mapped back to offsets by \n alone then.
	odd bool
}

// newTagFinder returns nil when data holds no '!', hence no tag at all.
func newTagFinder(data []byte) *tagFinder {
	if bytes.IndexByte(data, '!') < 0 {
		return nil
	}
	return &tagFinder{data: data}
}

// hasProperty reports whether node n's position in the text holds a property ('!' or '&'), or
// whether that cannot be known (an odd text).
func (f *tagFinder) hasProperty(n *yaml.Node) bool {
	if f == nil {
		return false
	}
	if f.lines == nil {
		f.index()
	}
	if f.odd || n.Line < 1 || n.Line > len(f.lines) {
		return true
	}
	off := f.lines[n.Line-1]
	for range n.Column - 1 { // go-yaml counts columns in characters
		if off >= len(f.data) {
			return true
		}
		_, size := utf8.DecodeRune(f.data[off:])
		off += size
	}
	return off < len(f.data) && (f.data[off] == '!' || f.data[off] == '&')
}

func (f *tagFinder) index() {
	f.lines = []int{0}
	for i, b := range f.data {
		switch {
		case b == '\n':
			f.lines = append(f.lines, i+1)
		case b == '\r' && (i+1 == len(f.data) || f.data[i+1] != '\n'):
			f.odd = true
		}
	}
	for _, mark := range []string{"\u0085", "\u2028", "\u2029"} {
		if bytes.Contains(f.data, []byte(mark)) {
			f.odd = true
		}
	}
	for _, bom := range []string{"\xef\xbb\xbf", "\xff\xfe", "\xfe\xff"} {
		if bytes.HasPrefix(f.data, []byte(bom)) {
			f.odd = true
		}
	}
}
