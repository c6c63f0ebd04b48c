package spec

import (
	"fmt"
	"strconv"
)

// Position is where a spec value was written: a slash-separated file path relative to the
// repository root and a 1-based line and column (0 when unknown).
type Position struct {
	File         string
	Line, Column int
}

// String renders "file:line:col", "file" without a line, "" without a file.
func (p Position) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line <= 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, max(p.Column, 1))
}

// Pos returns where the value at path was written, path being one of the Positions keys
// ("spec.version", "spec.pools[1].nodeType", …): the field's key (a pool's list dash) in the
// cluster's document; in reconciler.yaml when the cluster inherited the value from its defaults
// there; else the closest written ancestor (a defaulted zone: its pool). Any other path, or a
// Cluster that Load did not read, gives the document's start (Source). Pure data: no I/O.
func (c *Cluster) Pos(path string) Position {
	if c == nil {
		return Position{}
	}
	if p, ok := c.Positions[path]; ok {
		return p
	}
	return Position{File: c.Source.File, Line: c.Source.Line}
}

// PoolPath is the field path of the pool at index i of the document ("spec.pools[1]").
func PoolPath(i int) string {
	if i >= 0 && i < len(poolPaths) {
		return poolPaths[i][0]
	}
	return "spec.pools[" + strconv.Itoa(i) + "]"
}

// poolPaths are the indexed paths of the first pools, built once: recording positions at load
// then costs no string allocation.
var poolPaths = func() (out [64][3]string) {
	for i := range out {
		pp := "spec.pools[" + strconv.Itoa(i) + "]"
		out[i] = [3]string{pp, pp + ".nodeType", pp + ".zone"}
	}
	return out
}()

// positions records, at load, where the values Pos answers for were written.
func (l *locator) positions(c *Cluster) map[string]Position {
	m := make(map[string]Position, 1+3*len(c.Spec.Pools))
	put := func(path string) {
		file, at, _ := l.position(path)
		m[path] = Position{File: file, Line: at.line, Column: at.col}
	}
	put("spec.version")
	for i := range c.Spec.Pools {
		if i < len(poolPaths) {
			for _, p := range poolPaths[i] {
				put(p)
			}
			continue
		}
		pp := PoolPath(i)
		put(pp)
		put(pp + ".nodeType")
		put(pp + ".zone")
	}
	return m
}
