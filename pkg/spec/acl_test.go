package spec

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestACLValidated(t *testing.T) {
	load := func(acl string) error {
		doc := strings.Replace(cniDoc, "CNI", "cilium", 1) + "  acl:\n" + acl
		_, err := Load(fstest.MapFS{"clusters/c.yaml": {Data: []byte(doc)}})
		return err
	}
	if err := load("    scalewayRanges: true\n    rules:\n      - {ip: 203.0.113.0/24, description: office}\n      - {ip: \"2001:db8::/32\"}\n"); err != nil {
		t.Fatalf("a valid ACL refused: %v", err)
	}
	for acl, want := range map[string]string{
		"    rules: []\n":                                                  "clusters/c.yaml:9:3: spec.acl: allows no one",
		"    rules:\n      - {ip: 203.0.113.7}\n":                          "clusters/c.yaml:11:10: spec.acl.rules[0].ip: invalid CIDR",
		"    rules:\n      - {ip: 203.0.113.7/24}\n":                       "use 203.0.113.0/24",
		"    rules:\n      - {ip: 10.0.0.0/8}\n      - {ip: 10.0.0.0/8}\n": "spec.acl.rules[1].ip: duplicate of spec.acl.rules[0]",
		"    rules:\n      - {cidr: 10.0.0.0/8}\n":                         "cidr",
	} {
		if err := load(acl); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", acl, err, want)
		}
	}
}
