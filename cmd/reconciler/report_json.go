package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/rotation"
)

// reportFormatVersion is the version of the JSON documents of apply, rotate and version
// (schemas/apply.schema.json, schemas/rotate.schema.json, schemas/version.schema.json).
const reportFormatVersion = "1"

// applyReport is the one JSON document `apply -o json` and `rotate -o json` print: the plan, and
// the result when it was executed (nil when there was nothing to do, the approval was refused
// or execution could not start).
type applyReport struct {
	FormatVersion string        `json:"format_version"`
	Command       string        `json:"command"`
	Plan          *plan.Plan    `json:"plan"`
	Applied       bool          `json:"applied"`
	Result        *apply.Result `json:"result"`
	// Error is what stopped the command after planning, "" when nothing did.
	Error string `json:"error,omitempty"`
}

// rotationDryRun is the JSON document of `rotate --dry-run -o json`.
type rotationDryRun struct {
	FormatVersion string              `json:"format_version"`
	Command       string              `json:"command"`
	Now           time.Time           `json:"now"`
	Revision      string              `json:"revision"`
	Notes         []string            `json:"notes"`
	Pools         []poolDecisionJSON  `json:"pools"`
	Calendars     []rotation.Calendar `json:"calendars"`
}

// poolDecisionJSON is one pool's rotation decisions.
type poolDecisionJSON struct {
	Cluster     string             `json:"cluster"`
	Pool        string             `json:"pool"`
	Region      string             `json:"region"`
	ProjectID   string             `json:"project_id,omitempty"`
	Concurrency int                `json:"concurrency"`
	Unavailable int                `json:"unavailable"`
	WindowOpen  bool               `json:"window_open"`
	NextOpening *time.Time         `json:"next_opening,omitempty"`
	Nodes       []nodeDecisionJSON `json:"nodes"`
}

// nodeDecisionJSON is one node's decision: rotated now, or why not.
type nodeDecisionJSON struct {
	Name      string          `json:"name"`
	ID        string          `json:"id"`
	Status    string          `json:"status"`
	CreatedAt time.Time       `json:"created_at"`
	Due       *time.Time      `json:"due,omitempty"`
	Deadline  *time.Time      `json:"deadline,omitempty"`
	Rotate    bool            `json:"rotate"`
	Reason    rotation.Reason `json:"reason"`
	Message   string          `json:"message"`
}

func newPoolDecisions(ds []rotation.Decision) []poolDecisionJSON {
	out := make([]poolDecisionJSON, 0, len(ds))
	for _, d := range ds {
		p := poolDecisionJSON{Cluster: d.Cluster, Pool: d.Pool, Region: d.Region, ProjectID: d.ProjectID,
			Concurrency: d.Concurrency, Unavailable: d.Unavailable, WindowOpen: d.Opening != nil, Nodes: []nodeDecisionJSON{}}
		if d.NextOpening != nil {
			t := d.NextOpening.Start
			p.NextOpening = &t
		}
		for _, n := range d.Nodes {
			p.Nodes = append(p.Nodes, nodeDecisionJSON{Name: n.Name, ID: n.ID, Status: n.Status, CreatedAt: n.CreatedAt,
				Due: nonZero(n.Due), Deadline: nonZero(n.Deadline), Rotate: n.Rotate, Reason: n.Reason, Message: n.Message})
		}
		out = append(out, p)
	}
	return out
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// writeJSON writes v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}
