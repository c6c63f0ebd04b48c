package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checks assert, per golden case, the behaviour the case exists for, independently of the
// golden text.
var checks = map[string]func(t *testing.T, p *Plan, err error){
	"create-three": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/create-cluster")
		wantIDs(t, p, "kosmos-edge", "kosmos-edge/create-cluster")
		wantIDs(t, p, "dedicated-par", "dedicated-par/create-cluster")
		a := cluster(t, p, "prod-par").Actions[0]
		if a.Details["version"] != "1.35.3" || a.Details["pools"] != "default,batch" {
			t.Errorf("details = %v, want version 1.35.3 and pools default,batch", a.Details)
		}
		if got := cluster(t, p, "kosmos-edge").Actions[0].Details["type"]; got != "multicloud" {
			t.Errorf("kosmos type = %q", got)
		}
		if p.Summary.Create != 3 || p.Summary.Deferred != 0 {
			t.Errorf("summary = %+v", p.Summary)
		}
		wantWarnings(t, p, "dedicated-par", "commitment-starts", "version-deprecated")
	},
	"no-changes": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		if !p.Empty() || p.Summary != (Summary{}) {
			t.Errorf("plan not empty: %+v", p.Summary)
		}
		if !strings.Contains(Text(p), "No changes. Live state matches the specs.") {
			t.Error("text lacks the no-changes line")
		}
	},
	"upgrade-two-hops": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par",
			"prod-par/upgrade-cluster/1.34.6", "prod-par/upgrade-pool/batch/1.34.6", "prod-par/upgrade-pool/default/1.34.6",
			"prod-par/upgrade-cluster/1.35.3", "prod-par/upgrade-pool/batch/1.35.3", "prod-par/upgrade-pool/default/1.35.3")
		c := cluster(t, p, "prod-par")
		if ch := c.Actions[3].Changes[0]; ch.Before != "1.34.6" || ch.After != "1.35.3" {
			t.Errorf("second hop change = %+v", ch)
		}
		if p.Summary.Upgrade != 6 {
			t.Errorf("summary = %+v", p.Summary)
		}
	},
	"exact-patch": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/upgrade-cluster/1.34.6", "prod-par/upgrade-pool/default/1.34.6",
			"prod-par/upgrade-cluster/1.35.2", "prod-par/upgrade-pool/default/1.35.2")
		wantWarnings(t, p, "prod-par", "upgrade-available")
	},
	"downgrade-error": func(t *testing.T, p *Plan, err error) {
		wantErr(t, p, err, "cluster prod-par (fr-par)", "cannot downgrade from 1.35.3 to 1.34")
	},
	"unknown-version-error": func(t *testing.T, p *Plan, err error) {
		wantErr(t, p, err, "cluster prod-par (fr-par): no upgrade path from 1.33.10 to 1.35: 1.34 is not offered",
			"cluster future (fr-par)", "1.37 is not offered")
	},
	"pool-removed-no-prune": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par")
		wantWarnings(t, p, "prod-par", "pool-not-in-spec")
	},
	"pool-removed-prune": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/delete-pool/old")
		if a := cluster(t, p, "prod-par").Actions[0]; a.Details["pool_id"] != "p-old" || !a.Disruptive {
			t.Errorf("delete-pool = %+v", a)
		}
	},
	"replace-needs-opt-in": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par")
		wantDeferred(t, p, "prod-par", map[string]string{"prod-par/replace-pool/default": WhyNeedsOptIn})
	},
	"replace-in-window": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/replace-pool/default")
		a := cluster(t, p, "prod-par").Actions[0]
		if !a.Disruptive || !strings.HasPrefix(a.Details["new_pool"], "default-") || a.Details["steps"] != "create-new,wait-ready,delete-old" || a.Payload.Replace == nil || a.Payload.Replace.OldPoolID != "p-default" {
			t.Errorf("replace-pool = %+v", a)
		}
		if p.Summary.Replace != 1 {
			t.Errorf("summary = %+v", p.Summary)
		}
	},
	"replace-outside-window": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par")
		wantDeferred(t, p, "prod-par", map[string]string{"prod-par/replace-pool/default": WhyOutsideWindow})
		if m := cluster(t, p, "prod-par").Deferred[0].Message; !strings.Contains(m, "2026-11-28T02:00:00+01:00") {
			t.Errorf("message %q lacks the next opening in Europe/Paris", m)
		}
	},
	"replace-resume": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/replace-pool/default")
		a := cluster(t, p, "prod-par").Actions[0]
		if a.Details["steps"] != "delete-old" || a.Details["new_pool_id"] != "p-new" || a.Details["pool_id"] != "p-default" {
			t.Errorf("resumed replace-pool = %+v", a.Details)
		}
	},
	"autoscaling-owns-size": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/update-pool/default")
		got := paths(cluster(t, p, "prod-par").Actions[0])
		if !slices.Equal(got, []string{"spec.pools[default].autoscaling.max"}) {
			t.Errorf("changes = %v, want only autoscaling.max (size belongs to the autoscaler)", got)
		}
	},
	"autoupgrade-patch-drift": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		if !p.Empty() {
			t.Errorf("patch drift under auto-upgrade planned actions: %+v", p.Summary)
		}
		wantWarnings(t, p, "follow", "upgrade-available")
		// The auto-upgrade moved the patch past the exact pin: a fact, never an action.
		wantWarnings(t, p, "prod-par", "spec-behind")
		if b := cluster(t, p, "prod-par").SpecBehind; b == nil || b.Reason != BehindAutoUpgrade || b.Live != "1.35.3" || b.Suggested != "1.35" {
			t.Errorf("prod-par spec-behind = %+v", b)
		}
	},
	"spec-behind-forced": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		// Scaleway upgraded both past their specs: reported with the dates, and the rest planned.
		wantIDs(t, p, "prod-par", "prod-par/update-pool/default")
		wantIDs(t, p, "legacy")
		wantWarnings(t, p, "prod-par", "spec-behind")
		wantWarnings(t, p, "legacy", "spec-behind", "version-end-of-life")
		b := cluster(t, p, "prod-par").SpecBehind
		if b == nil || b.Reason != BehindForcedUpgrade || b.Spec != "1.34" || b.Live != "1.35.3" || b.Suggested != "1.35" ||
			b.LiveDeprecatedAt == nil || ymd(*b.LiveDeprecatedAt) != "2027-01-19" || b.LiveEndOfLifeAt == nil || ymd(*b.LiveEndOfLifeAt) != "2027-03-19" {
			t.Errorf("prod-par spec-behind = %+v", b)
		}
		// 1.34 has left the list: its dates come from the live version's own facts (GetVersion).
		b = cluster(t, p, "legacy").SpecBehind
		if b == nil || b.Suggested != "1.34.6" || b.LiveEndOfLifeAt == nil || ymd(*b.LiveEndOfLifeAt) != "2026-11-29" {
			t.Errorf("legacy spec-behind = %+v", b)
		}
		for _, w := range cluster(t, p, "prod-par").Warnings {
			if w.Code == "spec-behind" && !strings.Contains(w.Message, "update spec.version to 1.35 or the next plan keeps warning") {
				t.Errorf("spec-behind message %q lacks what to do", w.Message)
			}
		}
	},
	"follow-minor-patch": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/upgrade-cluster/1.35.3", "prod-par/upgrade-pool/default/1.35.3")
	},
	"outside-window": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par")
		wantDeferred(t, p, "prod-par", map[string]string{
			"prod-par/upgrade-cluster/1.35.3": WhyOutsideWindow, "prod-par/upgrade-pool/default/1.35.3": WhyOutsideWindow})
		if p.Summary.Deferred != 2 || !strings.HasSuffix(Text(p), "No changes to run now (2 deferred).\n") {
			t.Errorf("summary = %+v", p.Summary)
		}
	},
	"invalid-window": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par")
		wantDeferred(t, p, "prod-par", map[string]string{
			"prod-par/upgrade-cluster/1.35.3": WhyInvalidWindow, "prod-par/upgrade-pool/default/1.35.3": WhyInvalidWindow})
	},
	"not-owned": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par")
		wantWarnings(t, p, "prod-par", "not-owned")
		wantIDs(t, p, "adopted", "adopted/update-cluster")
		a := cluster(t, p, "adopted").Actions[0]
		if a.Reason != "adopt" || !slices.Equal(paths(a), []string{"spec.tags"}) {
			t.Errorf("adoption = %+v", a)
		}
	},
	"delete-cluster": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "gone", "gone/delete-cluster")
		wantIDs(t, p, "gone-protected")
		wantWarnings(t, p, "gone-protected", "cluster-not-in-spec")
		// Ours by its owner tag, unprotected, but no status names it: an orphan, deleted by the
		// same rule (the evidence is on the live cluster).
		wantIDs(t, p, "gone-unknown", "gone-unknown/delete-cluster")
		wantWarnings(t, p, "gone-unknown", "deletion-authorised", "orphan")
		// Untagged, named by a status file: described, never deleted.
		wantIDs(t, p, "gone-untagged")
		wantWarnings(t, p, "gone-untagged", "cluster-not-in-spec")
		if p.Summary.Delete != 2 || p.Summary.Orphans != 1 || !p.HasChanges() {
			t.Errorf("summary = %+v", p.Summary)
		}
	},
	"deletion-evidence": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		if p.Summary.Delete != 0 || p.Summary.Orphans != 0 || p.HasChanges() {
			t.Errorf("summary = %+v, want nothing deleted", p.Summary)
		}
		for name, says := range map[string]string{
			"forged-protection": "whatever status/forged-protection.yaml says",
			"stale-id":          "status/stale-id.yaml records cluster id c-stale-id-old, not the live c-stale-id",
			"foreign":           "another repository or several (team-b)",
			"legacy":            "does not carry this repository's owner tag",
			"two-owners":        "another repository or several (golden-repo, team-b)",
		} {
			wantIDs(t, p, name)
			wantWarnings(t, p, name, "cluster-not-in-spec")
			if m := cluster(t, p, name).Warnings[0].Message; !strings.Contains(m, says) || !strings.Contains(m, "status/"+name+".yaml") {
				t.Errorf("%s: warning %q, want it to say %q and name its status file", name, m, says)
			}
		}
		for _, c := range p.Clusters {
			if c.Name == "foreign-unrecorded" || c.Name == "legacy-unrecorded" {
				t.Errorf("%s: another repository's cluster that no status names appears in the plan", c.Name)
			}
		}
	},
	"delete-cluster-no-prune": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "gone")
		wantWarnings(t, p, "gone", "cluster-not-in-spec")
		if !strings.Contains(cluster(t, p, "gone").Warnings[0].Message, "prune is off") {
			t.Error("warning does not say prune is off")
		}
	},
	"version-warnings": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantWarnings(t, p, "old", "version-end-of-life")
		wantWarnings(t, p, "older", "version-deprecated")
		if m := cluster(t, p, "old").Warnings[0].Message; !strings.Contains(m, "2026-11-04") {
			t.Errorf("end-of-life message %q lacks the date", m)
		}
	},
	"transient-status": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "busy")
		wantDeferred(t, p, "busy", map[string]string{"busy/update-cluster": WhyNotReady,
			"busy/upgrade-cluster/1.35.3": WhyNotReady, "busy/upgrade-pool/default/1.35.3": WhyNotReady})
		wantDeferred(t, p, "locked", map[string]string{"locked/update-cluster": WhyLocked})
		wantIDs(t, p, "scaling", "scaling/update-pool/other")
		wantDeferred(t, p, "scaling", map[string]string{"scaling/update-pool/default": WhyNotReady})
		wantWarnings(t, p, "scaling", "pool-error")
		if m := cluster(t, p, "scaling").Warnings[0].Message; !strings.Contains(m, "disk pressure") {
			t.Errorf("pool-error %q lacks the API's message", m)
		}
	},
	"update-cluster-fields": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/update-cluster", "prod-par/update-pool/default")
		c := cluster(t, p, "prod-par")
		if got, want := paths(c.Actions[0]), []string{"spec.tags", "spec.autoUpgrade.enabled", "spec.autoscaler.expander"}; !slices.Equal(got, want) {
			t.Errorf("cluster changes = %v, want %v", got, want)
		}
		want := []string{"size", "autohealing", "labels", "taints", "kubeletArgs", "upgradePolicy.maxSurge",
			"upgradePolicy.maxUnavailable", "maxTerminationGracePeriod"}
		for i := range want {
			want[i] = "spec.pools[default]." + want[i]
		}
		if got := paths(c.Actions[1]); !slices.Equal(got, want) {
			t.Errorf("pool changes = %v, want %v", got, want)
		}
	},
	"set-cluster-type": func(t *testing.T, p *Plan, err error) {
		mustPlan(t, p, err)
		wantIDs(t, p, "prod-par", "prod-par/set-cluster-type/kapsule-dedicated-8")
		wantWarnings(t, p, "prod-par", "commitment-starts")
		// 30 days of billing from the plan's now (2026-11-26).
		if w := cluster(t, p, "prod-par").Warnings[0].Message; !strings.Contains(w, "until 2026-12-26") {
			t.Errorf("warning %q lacks the commitment's end", w)
		}
	},
	"cluster-type-family-error": func(t *testing.T, p *Plan, err error) {
		wantErr(t, p, err, "cluster prod-par (fr-par)", "cannot change the type from kapsule to multicloud")
	},
}

func mustPlan(t *testing.T, p *Plan, err error) {
	t.Helper()
	if err != nil || p == nil {
		t.Fatalf("Compute: %v", err)
	}
}

func wantErr(t *testing.T, p *Plan, err error, parts ...string) {
	t.Helper()
	if err == nil || p != nil {
		t.Fatalf("want an error and no plan, got plan %v err %v", p != nil, err)
	}
	for _, s := range parts {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

func cluster(t *testing.T, p *Plan, name string) ClusterPlan {
	t.Helper()
	for _, c := range p.Clusters {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no cluster %s in the plan", name)
	return ClusterPlan{}
}

func wantIDs(t *testing.T, p *Plan, name string, ids ...string) {
	t.Helper()
	var got []string
	for _, a := range cluster(t, p, name).Actions {
		got = append(got, a.ID)
	}
	if d := cmp.Diff(ids, got, cmpEmpty); d != "" {
		t.Errorf("%s actions (-want +got):\n%s", name, d)
	}
}

func wantDeferred(t *testing.T, p *Plan, name string, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, d := range cluster(t, p, name).Deferred {
		got[d.Action.ID] = d.Why
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s deferred (-want +got):\n%s", name, d)
	}
}

func wantWarnings(t *testing.T, p *Plan, name string, codes ...string) {
	t.Helper()
	var got []string
	for _, w := range cluster(t, p, name).Warnings {
		got = append(got, w.Code)
	}
	if d := cmp.Diff(codes, got, cmpEmpty); d != "" {
		t.Errorf("%s warnings (-want +got):\n%s", name, d)
	}
}

func paths(a Action) []string {
	var out []string
	for _, c := range a.Changes {
		out = append(out, c.Path)
	}
	return out
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })
