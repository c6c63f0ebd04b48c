package plan

import (
	"strings"
	"testing"
)

// A new cluster whose spec.version the catalog no longer offers (a minor past its end of life,
// e.g. 1.34 in December 2026): the error names the spec file and says which version to write.
func TestCreateWithAVersionNoLongerOfferedSaysWhatToWrite(t *testing.T) {
	in := loadCase(t, "testdata/plan/create-three")
	c := in.Desired[0]
	c.Spec.Version = "1.31"
	c.Source.File, c.Source.Line = "clusters/prod-par.yaml", 4
	_, err := Compute(in)
	if err == nil {
		t.Fatal("Compute accepted a version the catalog does not offer")
	}
	for _, want := range []string{"clusters/prod-par.yaml:4", "spec.version: version 1.31", `"1.33"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
