package spec

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	sigsyaml "sigs.k8s.io/yaml"
)

// benchRepo builds an in-memory repository of n cluster files, each the production example
// under a distinct name, plus the example reconciler.yaml.
func benchRepo(b *testing.B, n int) fstest.MapFS {
	b.Helper()
	prod, err := os.ReadFile("../../examples/clusters/prod-par.yaml")
	if err != nil {
		b.Fatal(err)
	}
	settings, err := os.ReadFile("../../examples/reconciler.yaml")
	if err != nil {
		b.Fatal(err)
	}
	fsys := fstest.MapFS{SettingsFile: {Data: settings}}
	for i := range n {
		name := fmt.Sprintf("prod-%05d", i)
		fsys[fmt.Sprintf("clusters/team-%02d/%s.yaml", i%50, name)] = &fstest.MapFile{Data: []byte(strings.Replace(string(prod), "name: prod-par", "name: "+name, 1))}
	}
	return fsys
}

// decodeOnly is the baseline: read and YAML-decode every file into a map, nothing else.
func decodeOnly(b *testing.B, fsys fs.FS) int {
	n := 0
	err := fs.WalkDir(fsys, ClustersDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := sigsyaml.Unmarshal(data, &m); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkLoad10k measures Load (one strict parse per document for positions and values,
// settings merge, defaults, validation) of 10,000 cluster files against only YAML-decoding them
// with sigs.k8s.io/yaml, in the same run; the x-of-decode metric is the ratio.
//
//	go test ./pkg/spec -run '^$' -bench Load10k -benchtime 3x
func BenchmarkLoad10k(b *testing.B) {
	files := 10_000
	if testing.Short() {
		files = 1000
	}
	fsys := benchRepo(b, files)
	var decode, load time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if n := decodeOnly(b, fsys); n != files {
			b.Fatalf("decoded %d files", n)
		}
		t1 := time.Now()
		repo, err := Load(fsys)
		if err != nil {
			b.Fatal(err)
		}
		if len(repo.Clusters) != files {
			b.Fatalf("loaded %d clusters", len(repo.Clusters))
		}
		load += time.Since(t1)
		decode += t1.Sub(t0)
	}
	b.ReportMetric(float64(load)/float64(decode), "x-of-decode")
	b.ReportMetric(float64(load.Milliseconds())/float64(b.N), "load-ms")
	b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms")
}
