package scaleway

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

const productsPath = "/instance/v1/zones/fr-par-1/products/servers"

// serverType is a products/servers entry shaped as the Instance API sends it (abridged).
func serverType(cpus int, ram uint64, eos bool) string {
	return `{"monthly_price":null,"hourly_price":0.02,"alt_names":[],"ncpus":` + itoa(cpus) + `,"ram":` + mustJSON(ram) +
		`,"arch":"x86_64","end_of_service":` + mustJSON(eos) + `,"volumes_constraint":{"min_size":0,"max_size":0}}`
}

// TestListNodeTypesReadsEveryPageWithAvailability: two pages of types (total_count 3 with 2 per
// page), the availability list, the SDK's JSON mapped into the cloud model, names sorted.
func TestListNodeTypesReadsEveryPageWithAvailability(t *testing.T) {
	s := newCannedServer(t, nil)
	s.dyn = func(r *http.Request) (reply, bool) {
		page := r.URL.Query().Get("page")
		switch r.URL.Path {
		case productsPath:
			switch page {
			case "1":
				return reply{200, `{"total_count":3,"servers":{"PRO2-S":` + serverType(2, 8<<30, false) + `,"PRO2-XS":` + serverType(4, 16<<30, false) + `}}`}, true
			case "2":
				return reply{200, `{"total_count":3,"servers":{"DEV1-S":` + serverType(2, 2<<30, true) + `}}`}, true
			}
			return reply{200, `{"total_count":3,"servers":{}}`}, true
		case productsPath + "/availability":
			if page != "1" {
				return reply{200, `{"total_count":2,"servers":{}}`}, true
			}
			return reply{200, `{"total_count":2,"servers":{"PRO2-S":{"availability":"shortage"},"PRO2-XS":{"availability":"scarce"}}}`}, true
		}
		return reply{}, false
	}
	z, err := s.provider(t).ListNodeTypes(t.Context(), "fr-par-1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, nt := range z.NodeTypes {
		got = append(got, nt.Name+"/"+nt.Zone+"/"+nt.Availability+"/"+itoa(nt.VCPUs)+"/"+mustJSON(nt.MemoryBytes>>30)+"/"+mustJSON(nt.EndOfService))
	}
	want := "DEV1-S/fr-par-1//2/2/true PRO2-S/fr-par-1/shortage/2/8/false PRO2-XS/fr-par-1/scarce/4/16/false"
	if strings.Join(got, " ") != want {
		t.Errorf("node types:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if z.Quota != nil {
		t.Errorf("quota = %+v, want nil (the adapter cannot read it)", z.Quota)
	}
	var paths []string
	for _, r := range s.requests(false) {
		paths = append(paths, r.String())
	}
	for _, w := range []string{productsPath + "?page=1&per_page=100", productsPath + "?page=2&per_page=100", productsPath + "/availability?page=1&per_page=100"} {
		if !strings.Contains(strings.Join(paths, "\n"), w) {
			t.Errorf("requests %v lack %s", paths, w)
		}
	}
}

// TestListNodeTypesErrors: a rate-limited page is retried alone; an availability list the
// server lacks (404) leaves availability unknown; a terminal error is typed and names the zone.
func TestListNodeTypesErrors(t *testing.T) {
	s := newCannedServer(t, nil)
	calls := 0
	s.dyn = func(r *http.Request) (reply, bool) {
		if r.URL.Path != productsPath {
			return reply{}, false // availability: 404
		}
		calls++
		if calls == 1 {
			return reply{429, `{"message":"too many requests","type":"too_many_requests"}`}, true
		}
		return reply{200, `{"total_count":1,"servers":{"PRO2-S":` + serverType(2, 8<<30, false) + `}}`}, true
	}
	z, err := s.provider(t).ListNodeTypes(t.Context(), "fr-par-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(z.NodeTypes) != 1 || z.NodeTypes[0].Availability != "" || calls != 2 {
		t.Errorf("types %+v after %d product requests; want PRO2-S with unknown availability after one retry", z.NodeTypes, calls)
	}

	denied := newCannedServer(t, map[string]reply{"GET " + productsPath: {403, `{"details":[{"action":"read","resource":"instance_servers"}],"message":"insufficient permissions","type":"permissions_denied"}`}})
	_, err = denied.provider(t).ListNodeTypes(t.Context(), "fr-par-1")
	if !cloud.IsTerminal(err) || !strings.Contains(err.Error(), "list node types in fr-par-1") {
		t.Errorf("err = %v, want a terminal error naming the zone", err)
	}
}

// TestClusterCommitmentEndsAt: commitment_ends_at reaches the cloud model (set-type's plan
// check reads it); a response without it leaves nil.
func TestClusterCommitmentEndsAt(t *testing.T) {
	s := newCannedServer(t, map[string]reply{
		"GET " + base + "/clusters/" + clusterID:            {200, clusterJSON},
		"GET " + base + "/clusters/" + clusterID + "/pools": {200, listPools()},
		"GET " + base + "/clusters/" + clusterID + "/nodes": {200, `{"total_count":0,"nodes":[]}`},
	})
	c, err := s.provider(t).GetCluster(t.Context(), "fr-par", clusterID)
	if err != nil {
		t.Fatal(err)
	}
	if c.CommitmentEndsAt == nil || c.CommitmentEndsAt.Format("2006-01-02T15:04:05.000000Z07:00") != "2026-07-03T09:14:08.593947Z" {
		t.Errorf("CommitmentEndsAt = %v, want 2026-07-03T09:14:08.593947Z", c.CommitmentEndsAt)
	}
}
