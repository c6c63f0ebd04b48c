package scaleway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/scaleway/scaleway-sdk-go/scw"

	"github.com/scaleway-gitops/reconciler/pkg/cloud"
)

// kind names the cloud error class an error maps to.
func kind(err error) (string, string) {
	var nf *cloud.NotFoundError
	var tr *cloud.TransientError
	var te *cloud.TerminalError
	switch {
	case errors.As(err, &nf):
		return "not_found", ""
	case errors.As(err, &tr):
		return "transient", tr.Reason
	case errors.As(err, &te):
		return "terminal", te.Reason
	}
	return "other", ""
}

func TestMapErrorFromSDKValues(t *testing.T) {
	cases := []struct {
		err          error
		kind, reason string
	}{
		{&scw.ResourceNotFoundError{Resource: "cluster", ResourceID: "c1"}, "not_found", ""},
		{&scw.ResponseError{StatusCode: 404, Status: "404 Not Found"}, "not_found", ""},
		{&scw.TransientStateError{Resource: "cluster", ResourceID: "c1", CurrentState: "updating"}, "transient", "transient_state"},
		{&scw.ResponseError{StatusCode: 429, Status: "429 Too Many Requests"}, "transient", "rate_limited"},
		{&scw.ResponseError{StatusCode: 500, Status: "500 Internal Server Error"}, "transient", "server_error"},
		{&scw.ResponseError{StatusCode: 503, Status: "503 Service Unavailable"}, "transient", "server_error"},
		{&scw.ResponseError{StatusCode: 409, Status: "409 Conflict", Message: "conflict"}, "transient", "transient_state"},
		{&scw.ResponseError{StatusCode: 501, Status: "501 Not Implemented"}, "terminal", "server_error"},
		{&scw.ResponseError{StatusCode: 400, Status: "400 Bad Request"}, "terminal", "invalid_arguments"},
		{&scw.InvalidArgumentsError{Details: []scw.InvalidArgumentsErrorDetail{{ArgumentName: "version", Reason: "constraint", HelpMessage: "next minor only"}}}, "terminal", "invalid_arguments"},
		{&scw.QuotasExceededError{Details: []scw.QuotasExceededErrorDetail{{Resource: "k8s_pool", Quota: 10, Current: 10}}}, "terminal", "quotas_exceeded"},
		{&scw.PermissionsDeniedError{}, "terminal", "permissions_denied"},
		{&scw.OutOfStockError{Resource: "kubernetes_cluster"}, "terminal", "out_of_stock"},
		{&scw.ResourceLockedError{Resource: "cluster", ResourceID: "c1"}, "terminal", "locked"},
		{&scw.DeniedAuthenticationError{Method: "api_key", Reason: "not_found"}, "terminal", "denied_authentication"},
		{scw.DeniedAuthenticationError{Method: "api_key", Reason: "expired"}, "terminal", "denied_authentication"},
		{&scw.PreconditionFailedError{Precondition: "resource_still_in_use"}, "terminal", "precondition_failed"},
		{&url.Error{Op: "Get", URL: "http://x", Err: syscall.ECONNREFUSED}, "transient", "network"},
		{fmt.Errorf("scaleway-sdk-go: error executing request: %w", io.ErrUnexpectedEOF), "transient", "network"},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, "transient", "network"},
		{context.DeadlineExceeded, "transient", "network"},
		{errors.New("scaleway-sdk-go: something odd"), "other", ""},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%T/%s", tc.err, tc.reason), func(t *testing.T) {
			got := mapError(t.Context(), tc.err, testSecretKey)
			k, r := kind(got)
			if k != tc.kind || r != tc.reason {
				t.Errorf("mapError(%v) = %s/%s, want %s/%s", tc.err, k, r, tc.kind, tc.reason)
			}
			if k == "transient" || k == "terminal" {
				if got.Error() != tc.err.Error() {
					t.Errorf("message %q, want the SDK's own %q", got.Error(), tc.err.Error())
				}
			}
		})
	}
}

func TestCallerCancellationIsNotTransient(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := mapError(ctx, fmt.Errorf("error executing request: %w", context.Canceled), "")
	if cloud.IsTransient(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v, want context.Canceled and not transient", err)
	}
	ctx, cancel2 := context.WithTimeout(t.Context(), 0)
	defer cancel2()
	<-ctx.Done()
	if err := mapError(ctx, context.DeadlineExceeded, ""); cloud.IsTransient(err) {
		t.Errorf("caller deadline: %v, want not transient", err)
	}
}

// TestErrorsThroughTheSDK serves the canonical Scaleway error bodies (docs/scaleway-k8s-api.md §3) so the SDK
// builds its typed errors itself, then checks the mapping and the wrapped message.
func TestErrorsThroughTheSDK(t *testing.T) {
	cases := []struct {
		name         string
		status       int
		contentType  string
		body         string
		kind, reason string
		msg          string // the API's own text the error must keep
	}{
		{"not_found", 404, "application/json", `{"message":"resource is not found","resource":"cluster","resource_id":"` + clusterID + `","type":"not_found"}`, "not_found", "", `cluster "` + clusterID + `" not found`},
		{"invalid_arguments", 400, "application/json", `{"details":[{"argument_name":"version","help_message":"upgrade to the next minor only","reason":"constraint"}],"message":"invalid argument(s)","type":"invalid_arguments"}`, "terminal", "invalid_arguments", "version does not respect constraint, upgrade to the next minor only"},
		{"quotas_exceeded", 403, "application/json", `{"details":[{"current":10,"quota":10,"resource":"k8s_pool"}],"message":"quota(s) exceeded for this resource","type":"quotas_exceeded"}`, "terminal", "quotas_exceeded", "k8s_pool has reached its quota (10/10)"},
		{"transient_state", 409, "application/json", `{"current_state":"updating","message":"resource is in a transient state","resource":"cluster","resource_id":"` + clusterID + `","type":"transient_state"}`, "transient", "transient_state", "is in a transient state: updating"},
		{"precondition_failed", 412, "application/json", `{"help_message":"pool skew too large","message":"precondition failed","precondition":"resource_still_in_use","type":"precondition_failed"}`, "terminal", "precondition_failed", "resource is still in use, pool skew too large"},
		{"permissions_denied", 403, "application/json", `{"details":[{"action":"write","resource":"k8s_cluster"}],"message":"insufficient permissions","type":"permissions_denied"}`, "terminal", "permissions_denied", "insufficient permissions"},
		{"denied_authentication", 401, "application/json", `{"message":"authentication is denied","method":"api_key","reason":"not_found","type":"denied_authentication"}`, "terminal", "denied_authentication", "API key does not exist"},
		{"out_of_stock", 503, "application/json", `{"message":"resource is out of stock","resource":"kubernetes_cluster","type":"out_of_stock"}`, "terminal", "out_of_stock", "kubernetes_cluster is out of stock"},
		{"locked", 423, "application/json", `{"message":"resource is locked","resource":"cluster","resource_id":"` + clusterID + `","type":"locked"}`, "terminal", "locked", "is locked"},
		{"too_many_requests", 429, "application/json", `{"message":"too many requests","type":"too_many_requests"}`, "transient", "rate_limited", "too many requests"},
		{"plain_503", 503, "text/plain", "upstream down", "transient", "server_error", "503 Service Unavailable"},
		{"plain_502", 502, "text/html", "<html>bad gateway</html>", "transient", "server_error", "502 Bad Gateway"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newCannedServer(t, nil)
			s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/metadata" {
					s.serve(w, r)
					return
				}
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			err := s.provider(t).UpgradeCluster(t.Context(), "fr-par", clusterID, "1.35.3", false)
			k, r := kind(err)
			if k != tc.kind || r != tc.reason {
				t.Errorf("err = %v → %s/%s, want %s/%s", err, k, r, tc.kind, tc.reason)
			}
			want := `upgrade cluster "` + clusterID + `" to 1.35.3: `
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err text %q, want prefix %q and the API's %q", err, want, tc.msg)
			}
		})
	}
}

func TestNetworkErrorsAreTransient(t *testing.T) {
	s := newCannedServer(t, nil)
	p := s.provider(t)
	s.Close() // connection refused from now on
	_, err := p.GetCluster(t.Context(), "fr-par", clusterID)
	if k, r := kind(err); k != "transient" || r != "network" {
		t.Errorf("closed server: %v → %s/%s, want transient/network", err, k, r)
	}

	cut := newCannedServer(t, nil)
	cut.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		_, _ = io.WriteString(w, `{"id":"`) // body cut short
	})
	_, err = cut.provider(t).GetCluster(t.Context(), "fr-par", clusterID)
	if k, r := kind(err); k != "transient" || r != "network" {
		t.Errorf("cut body: %v → %s/%s, want transient/network", err, k, r)
	}
}
