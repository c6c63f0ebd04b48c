package spec

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzLoad feeds arbitrary bytes as a cluster file and as reconciler.yaml. Load must never
// panic; its errors must be a sorted, positioned ErrorList; and whatever it accepts must render
// (as --show-defaults does) to a spec that loads back to the same clusters.
//
//	go test ./pkg/spec -run '^$' -fuzz FuzzLoad -fuzztime 3m
func FuzzLoad(f *testing.F) {
	settings, _ := os.ReadFile("../../examples/reconciler.yaml")
	var seeds [][]byte
	for _, pattern := range []string{
		"../../examples/clusters/*.yaml",
		testdataDir + "/invalid/*/clusters/*.y*ml",
		testdataDir + "/valid/*/clusters/*.y*ml",
		testdataDir + "/valid/*/clusters/*/*.y*ml",
	} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				seeds = append(seeds, b)
			}
		}
	}
	if len(seeds) < 20 {
		f.Fatalf("only %d seeds", len(seeds))
	}
	for i, s := range seeds {
		f.Add(s, []byte(nil))
		if i%4 == 0 {
			f.Add(s, settings)
		}
	}
	f.Fuzz(func(t *testing.T, cluster, settings []byte) {
		fsys := fstest.MapFS{"clusters/c.yaml": {Data: cluster}}
		if len(settings) > 0 {
			fsys[SettingsFile] = &fstest.MapFile{Data: settings}
		}
		repo, err := Load(fsys)
		if err != nil {
			checkErrorList(t, repo, err)
			return
		}
		// Accepted: the fully defaulted rendering loads back, without settings, to the same clusters.
		out, err := MarshalClusters(repo.Clusters)
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		again, err := Load(fstest.MapFS{"clusters/c.yaml": {Data: out}})
		if err != nil {
			t.Fatalf("rendered spec does not load: %v\n%s", err, out)
		}
		if diff := cmp.Diff(repo.Clusters, again.Clusters, cmpopts.IgnoreFields(Cluster{}, "Source", "Positions"), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip changed the clusters (-loaded +reloaded):\n%s", diff)
		}
	})
}

func checkErrorList(t *testing.T, repo *Repo, err error) {
	t.Helper()
	if repo != nil {
		t.Fatalf("Repo returned with errors")
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %T is not a non-empty ErrorList: %v", err, err)
	}
	if !slices.IsSortedFunc(list, compareErrors) {
		t.Fatalf("errors not sorted:\n%v", err)
	}
	for _, e := range list {
		if e.File == "" || e.Message == "" || e.Line < 0 || e.Column < 0 {
			t.Fatalf("malformed error %#v", e)
		}
	}
}
