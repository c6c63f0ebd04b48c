package lifecycle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// SetVersion returns content with the spec.version scalar of the document whose first key is on
// line docLine (1-based; spec.Source.Line) set to version. Only that scalar's bytes change; its
// quoting style is kept ("1.35" stays double-quoted, '1.35' single, 1.35 plain).
func SetVersion(content []byte, docLine int, version string) ([]byte, error) {
	node, err := versionNode(content, docLine)
	if err != nil {
		return nil, err
	}
	lines := bytes.SplitAfter(content, []byte("\n"))
	if node.Line < 1 || node.Line > len(lines) {
		return nil, fmt.Errorf("line %d: spec.version out of the file", node.Line)
	}
	line := lines[node.Line-1]
	// Column counts runes; the prefix before the scalar is YAML indentation and keys.
	start := len(string([]rune(string(line))[:node.Column-1]))
	end, err := scalarEnd(line[start:], node.Style)
	if err != nil {
		return nil, fmt.Errorf("line %d: spec.version: %w", node.Line, err)
	}
	var repl string
	switch {
	case node.Style&yaml.DoubleQuotedStyle != 0:
		repl = `"` + version + `"`
	case node.Style&yaml.SingleQuotedStyle != 0:
		repl = `'` + version + `'`
	default:
		repl = version
	}
	var out bytes.Buffer
	for i, l := range lines {
		if i == node.Line-1 {
			out.Write(l[:start])
			out.WriteString(repl)
			out.Write(l[start+end:])
			continue
		}
		out.Write(l)
	}
	return out.Bytes(), nil
}

// versionNode finds spec.version in the document starting at docLine.
func versionNode(content []byte, docLine int) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("no document starts at line %d", docLine)
		}
		if err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		root := doc.Content[0]
		if len(root.Content) == 0 || root.Content[0].Line != docLine {
			continue
		}
		spec := mapValue(root, "spec")
		if spec == nil || spec.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: the document has no spec mapping", docLine)
		}
		v := mapValue(spec, "version")
		if v == nil || v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: the document has no spec.version scalar", spec.Line)
		}
		return v, nil
	}
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// scalarEnd is the byte length of the scalar token at the start of s.
func scalarEnd(s []byte, style yaml.Style) (int, error) {
	switch {
	case style&yaml.DoubleQuotedStyle != 0, style&yaml.SingleQuotedStyle != 0:
		q := s[0]
		if i := bytes.IndexByte(s[1:], q); i >= 0 {
			return i + 2, nil
		}
		return 0, errors.New("unterminated quoted scalar")
	case style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return 0, errors.New("a block scalar: write the version on one line")
	}
	end := len(s)
	for i := range s {
		if s[i] == '\n' || s[i] == '\r' || s[i] == ',' || s[i] == '}' || (s[i] == '#' && i > 0 && (s[i-1] == ' ' || s[i-1] == '\t')) {
			end = i
			break
		}
	}
	return len(strings.TrimRight(string(s[:end]), " \t")), nil
}
