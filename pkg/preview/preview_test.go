package preview_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
	"github.com/scaleway-gitops/reconciler/pkg/preview"
)

func planOf(ids ...string) *plan.Plan {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Now: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	byCluster := map[string]int{}
	for _, id := range ids {
		parts := strings.SplitN(id, "/", 3)
		i, ok := byCluster[parts[0]]
		if !ok {
			i = len(p.Clusters)
			byCluster[parts[0]] = i
			p.Clusters = append(p.Clusters, plan.ClusterPlan{Name: parts[0], Region: "fr-par"})
		}
		p.Clusters[i].Actions = append(p.Clusters[i].Actions, plan.Action{ID: id, Type: plan.ActionType(parts[1]), Target: "cluster/" + parts[0]})
	}
	return p
}

func TestCompareByActionID(t *testing.T) {
	base := planOf("a/upgrade-cluster/1.34.6", "b/update-cluster/tags")
	head := planOf("a/upgrade-cluster/1.34.6", "a/upgrade-cluster/1.35.3", "c/create-cluster/c")
	got := preview.Compare(base, head)
	ids := func(rs []preview.ActionRef) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	if diff := cmp.Diff([]string{"a/upgrade-cluster/1.35.3", "c/create-cluster/c"}, ids(got.Added)); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"b/update-cluster/tags"}, ids(got.Removed)); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	if !preview.Compare(head, head).Empty() {
		t.Error("a plan compared with itself is not empty")
	}
}

// TestMarkdownFitsAComment: a huge head plan and a huge error list both stay within the limit,
// marker first, fences balanced.
func TestMarkdownFitsAComment(t *testing.T) {
	var ids []string
	for c := range 300 {
		for a := range 20 {
			ids = append(ids, fmt.Sprintf("cluster-%03d/update-pool/pool-%02d", c, a))
		}
	}
	var errs []string
	for i := range 5000 {
		errs = append(errs, fmt.Sprintf("clusters/c%d.yaml:%d:3: spec.pools[0].size: must not be negative, got -%d", i, i+1, i))
	}
	for name, pv := range map[string]*preview.Preview{
		"big plan": {Plan: planOf(ids...), Compared: preview.Compare(planOf(), planOf(ids...)), Files: []string{"clusters/a.yaml"}},
		"errors":   {Errors: errs},
	} {
		pv.Base, pv.Head = preview.Rev{Ref: "main", Revision: "b"}, preview.Rev{Ref: "pr", Revision: "h"}
		md := preview.Markdown(pv, plan.MarkdownLimit)
		if n := utf8.RuneCountInString(md); n > plan.MarkdownLimit {
			t.Errorf("%s: %d characters, over %d", name, n, plan.MarkdownLimit)
		}
		if !strings.HasPrefix(md, preview.Marker+"\n") {
			t.Errorf("%s: marker not first", name)
		}
		fences := 0
		for _, l := range strings.Split(md, "\n") {
			if strings.HasPrefix(l, "```") {
				fences++
			}
		}
		if fences%2 != 0 {
			t.Errorf("%s: %d fence lines: unbalanced", name, fences)
		}
		if !strings.Contains(md, "more") && !strings.Contains(md, "Truncated") {
			t.Errorf("%s: a cut preview does not say so", name)
		}
	}
}

func TestStatusLine(t *testing.T) {
	if got := preview.StatusLine(&preview.Preview{Errors: []string{"x", "y"}}); got != "2 spec errors in the head revision" {
		t.Errorf("invalid head: %q", got)
	}
	p := planOf("a/upgrade-cluster/1.35.3")
	if got, want := preview.StatusLine(&preview.Preview{Plan: p}), plan.SummaryLine(p); got != want {
		t.Errorf("valid head: %q, want the plan's summary %q", got, want)
	}
}
