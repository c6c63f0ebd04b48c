package emulator

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// fakeCA is a syntactically valid PEM block (not a usable CA): clients only carry it.
const fakeCA = "-----BEGIN CERTIFICATE-----\nMIIBXDCCAQGgAwIBAgIBADAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwprdWJlcm5ldGVzMB4XDTI2MDcwMjA5MTQwOFoXDTM2MDcwMjA5MTQwOFowFTETMBEGA1UEAxMKa3ViZXJuZXRlczBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCJ8JFwsJV7H+tfOacRxG1kYkiIV9rWXOb2vwmmHkbnFFqmmThNVM7qRHh6QDAtRhv/ABYs2vnmAoPrmdpDp8SyjQjBAMA4GA1UdDwEB/wQEAwICpDAPBgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBT5CFMbu9Iezso5/3LPGnccycaWiDAKBggqhkjOPQQDAgNJADBGAiEA2QBB7WpWoTbk2trI9JWn+jM7k526VwACMedtfpUa/bECIQCr6UL7QvZLCDikv3teTFM+lt0Pkmfe1YWXZkM2tKoasw==\n-----END CERTIFICATE-----\n"

func (s *Server) kubeconfigFor(c *clusterRec, redacted bool) []byte {
	if len(s.opts.Kubeconfig) > 0 {
		return s.opts.Kubeconfig
	}
	token := c.Token
	if redacted {
		token = "REDACTED_TOKEN"
	}
	name := strings.ReplaceAll(c.Name, `"`, "")
	return []byte(fmt.Sprintf(`apiVersion: v1
clusters:
- name: "%s"
  cluster:
    certificate-authority-data: %s
    server: %s
contexts:
- name: "admin@%s"
  context:
    cluster: "%s"
    user: "%s-admin"
current-context: "admin@%s"
kind: Config
preferences: {}
users:
- name: "%s-admin"
  user:
    token: %s
`, name, base64.StdEncoding.EncodeToString([]byte(fakeCA)), c.ClusterURL, name, name, name, name, name, token))
}

func (s *Server) handleKubeconfig(r *request) (any, *apiError) {
	c, aerr := s.clusterFor(r)
	if aerr != nil {
		return nil, aerr
	}
	switch e := r.query.Get("endpoint"); e {
	case "", "unknown_endpoint", "public", "vpc":
	default:
		return nil, errInvalid("endpoint", "constraint", "unknown endpoint "+e)
	}
	content := s.kubeconfigFor(c, r.query.Get("redacted") == "true")
	return map[string]any{"name": "kubeconfig", "content_type": "application/octet-stream",
		"content": base64.StdEncoding.EncodeToString(content)}, nil
}
