package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is a Scaleway-shaped error: an HTTP status plus the JSON body the SDK decodes.
type apiError struct {
	status int
	body   map[string]any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %v", e.status, e.body["message"]) }

func errNotFound(resource, id string) *apiError {
	return &apiError{http.StatusNotFound, map[string]any{
		"message": "resource is not found", "resource": resource, "resource_id": id, "type": "not_found"}}
}

func errInvalid(arg, reason, help string) *apiError {
	return &apiError{http.StatusBadRequest, map[string]any{
		"details": []map[string]any{{"argument_name": arg, "reason": reason, "help_message": help}},
		"message": "invalid argument(s)", "type": "invalid_arguments"}}
}

// errDeprecatedVersion refuses a deprecated version at creation or as an upgrade target. No
// recording shows the real refusal; the policy says a deprecated version is "removed from cluster
// creation option" (docs/scaleway-k8s-api.md §5.4, §6), so the emulator answers as it does for any
// version it does not offer: invalid_arguments on version, reason constraint, which the SDK turns
// into *scw.InvalidArgumentsError. The help names the deprecation date.
func errDeprecatedVersion(v CatalogVersion) *apiError {
	return errInvalid("version", "constraint", "version "+v.Name+" is deprecated since "+
		v.Deprecated.Format("2006-01-02")+" and no longer available for cluster creation or upgrade")
}

func errTransient(resource, id, state string) *apiError {
	return &apiError{http.StatusConflict, map[string]any{
		"current_state": state, "message": "resource is in a transient state",
		"resource": resource, "resource_id": id, "type": "transient_state"}}
}

func errLocked(resource, id string) *apiError {
	return &apiError{http.StatusLocked, map[string]any{
		"message": "resource is locked", "resource": resource, "resource_id": id, "type": "locked"}}
}

func errQuota(resource string, quota, current int) *apiError {
	return &apiError{http.StatusForbidden, map[string]any{
		"details": []map[string]any{{"resource": resource, "quota": quota, "current": current}},
		"message": "quota(s) exceeded for this resource", "type": "quotas_exceeded"}}
}

func errPrecondition(precondition, help string) *apiError {
	return &apiError{http.StatusPreconditionFailed, map[string]any{
		"help_message": help, "message": "precondition failed", "precondition": precondition,
		"type": "precondition_failed"}}
}

func errDeniedAuth() *apiError {
	return &apiError{http.StatusUnauthorized, map[string]any{
		"message": "authentication is denied", "method": "api_key", "reason": "invalid_argument",
		"type": "denied_authentication"}}
}

func errTooManyRequests() *apiError {
	return &apiError{http.StatusTooManyRequests, map[string]any{
		"message": "too many requests", "type": "too_many_requests"}}
}

func errUnavailable() *apiError {
	return &apiError{http.StatusServiceUnavailable, map[string]any{
		"message": "service unavailable", "type": "service_unavailable"}}
}

func errBadRequest(msg string) *apiError {
	return &apiError{http.StatusBadRequest, map[string]any{
		"details": []map[string]any{{"argument_name": "body", "reason": "format", "help_message": msg}},
		"message": "invalid argument(s)", "type": "invalid_arguments"}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *apiError) { writeJSON(w, e.status, e.body) }
