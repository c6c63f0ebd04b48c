package spec

import (
	"io/fs"
	"path/filepath"
	"testing"
)

// corpus lists every YAML file of the examples and of the spec and plan test data: the inputs
// of the differential tests.
func corpus(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, root := range []string{"../../examples", testdataDir, "../plan/testdata"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && isSpecFile(p) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 100 {
		t.Fatalf("only %d corpus files", len(files))
	}
	return files
}

// chunks splits and parses a file as the loader does; documents with a syntax error are left out.
func chunks(data []byte) []chunk {
	l := &loader{}
	return l.documents("c.yaml", data)
}
