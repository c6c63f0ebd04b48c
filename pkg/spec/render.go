package spec

import (
	"bytes"
	"fmt"

	sigsyaml "sigs.k8s.io/yaml"
)

// MarshalClusters renders clusters as a multi-document YAML stream (keys sorted), each preceded
// by a comment naming its source; `reconciler validate --show-defaults` prints it.
func MarshalClusters(cs []*Cluster) ([]byte, error) {
	var b bytes.Buffer
	for _, c := range cs {
		out, err := sigsyaml.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("render cluster %q: %w", c.Metadata.Name, err)
		}
		b.WriteString("---\n")
		if c.Source.File != "" {
			fmt.Fprintf(&b, "# %s:%d (defaults applied)\n", c.Source.File, c.Source.Line)
		}
		b.Write(out)
	}
	return b.Bytes(), nil
}
