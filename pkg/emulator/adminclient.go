package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// AdminClient drives the admin API of an emulator over HTTP.
type AdminClient struct {
	BaseURL string // the emulator's URL, e.g. http://127.0.0.1:8080
	HTTP    *http.Client
}

var _ Admin = (*AdminClient)(nil)

// NewAdminClient returns a client for the emulator at baseURL.
func NewAdminClient(baseURL string) *AdminClient {
	return &AdminClient{BaseURL: strings.TrimSuffix(baseURL, "/"), HTTP: &http.Client{Timeout: 30 * time.Second}}
}

func (a *AdminClient) do(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.BaseURL+adminPrefix+path, body)
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("admin %s: read: %w", path, err)
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		if res.StatusCode == http.StatusNotFound {
			return fmt.Errorf("admin %s: %s: %w", path, e.Message, ErrNotFound)
		}
		return fmt.Errorf("admin %s: %d %s", path, res.StatusCode, e.Message)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("admin %s: decode: %w", path, err)
		}
	}
	return nil
}

func (a *AdminClient) Reset() error { return a.do("POST", "reset", nil, nil) }

func (a *AdminClient) Seed(r SeedRequest) (SeedResult, error) {
	var out SeedResult
	err := a.do("POST", "seed", r, &out)
	return out, err
}

func (a *AdminClient) PatchCluster(id string, f map[string]any) error {
	return a.do("PATCH", "clusters/"+id, f, nil)
}

func (a *AdminClient) PatchPool(id string, f map[string]any) error {
	return a.do("PATCH", "pools/"+id, f, nil)
}

func (a *AdminClient) PatchNode(id string, f map[string]any) error {
	return a.do("PATCH", "nodes/"+id, f, nil)
}

func (a *AdminClient) SetNodeCreatedAt(id string, t time.Time) error {
	return a.do("POST", "nodes/"+id+"/created-at", map[string]any{"created_at": t}, nil)
}

func (a *AdminClient) SetFaults(f Faults) error  { return a.do("PUT", "faults", f, nil) }
func (a *AdminClient) FailNext(f FailNext) error { return a.do("POST", "faults/next", f, nil) }
func (a *AdminClient) ClearFaults() error        { return a.do("DELETE", "faults", nil, nil) }
func (a *AdminClient) ResetRequests() error      { return a.do("DELETE", "requests", nil, nil) }

func (a *AdminClient) Requests() (RequestLog, error) {
	var out RequestLog
	err := a.do("GET", "requests", nil, &out)
	return out, err
}

func (a *AdminClient) Advance(d time.Duration) (time.Time, error) {
	var out struct {
		Now time.Time `json:"now"`
	}
	err := a.do("POST", "clock/advance", map[string]any{"duration": d.String()}, &out)
	return out.Now, err
}

func (a *AdminClient) SetNodeTypeAvailability(zone, nodeType, availability string) error {
	return a.do("PUT", "zones/"+zone+"/node-types/"+nodeType, map[string]string{"availability": availability}, nil)
}

func (a *AdminClient) SetNodeNotReady(id string, persistent bool) error {
	return a.do("POST", "nodes/"+id+"/not-ready", map[string]bool{"persistent": persistent}, nil)
}
