package emulator

import (
	"net/http"
)

// Non-k8s endpoints the real clients touch (docs/scaleway-k8s-api.md §1.7).

func (s *Server) handleMetadata(*request) (any, *apiError) {
	return map[string]any{"platform": "external", "partition": "scw", "domain": "scw.eu"}, nil
}

func (s *Server) handleListIPs(*request) (any, *apiError) {
	return map[string]any{"total_count": 0, "ips": []any{}}, nil
}

var _ = http.StatusOK
