package emulator_test

import (
	"net"
	"testing"

	k8s "github.com/scaleway/scaleway-sdk-go/api/k8s/v1"
	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/emulator/emulatortest"
)

// Without service_dns_ip, the cluster DNS takes the tenth address of the service CIDR, as the real
// API answered Terraform (recording cluster-networking: service_cidr 10.12.0.0/16 gave
// service_dns_ip 10.12.0.10; an explicit 10.12.0.53 was kept; no CIDR gave 10.32.0.0/20 and
// 10.32.0.10).
func TestServiceDNSIPFollowsTheServiceCIDR(t *testing.T) {
	env := emulatortest.Start(t, emulator.Options{})
	api := k8s.NewAPI(env.Client)
	cidr := func(s string) *scw.IPNet {
		var n scw.IPNet
		if err := n.UnmarshalJSON([]byte(`"` + s + `"`)); err != nil {
			t.Fatal(err)
		}
		return &n
	}
	dns := net.ParseIP("10.12.0.53")
	for _, tc := range []struct {
		name, wantCIDR, wantDNS string
		service                 *scw.IPNet
		dnsIP                   *net.IP
	}{
		{"defaults", "10.32.0.0/20", "10.32.0.10", nil, nil},
		{"service cidr only", "10.12.0.0/16", "10.12.0.10", cidr("10.12.0.0/16"), nil},
		{"both", "10.12.0.0/16", "10.12.0.53", cidr("10.12.0.0/16"), &dns},
	} {
		c, err := api.CreateCluster(&k8s.CreateClusterRequest{Name: "net", Version: "1.35.9", Cni: k8s.CNICilium, Type: "kapsule",
			PodCidr: cidr("10.11.0.0/16"), ServiceCidr: tc.service, ServiceDNSIP: tc.dnsIP})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := api.GetCluster(&k8s.GetClusterRequest{ClusterID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got.ServiceCidr.String() != tc.wantCIDR || got.ServiceDNSIP.String() != tc.wantDNS {
			t.Fatalf("%s: service_cidr %s, service_dns_ip %s; want %s, %s", tc.name, got.ServiceCidr.String(), got.ServiceDNSIP, tc.wantCIDR, tc.wantDNS)
		}
	}
}
