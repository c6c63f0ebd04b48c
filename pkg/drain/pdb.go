package drain

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// blockingPDBs returns "ns/name" of every PodDisruptionBudget whose selector
// matches one of pods, sorted. Listing errors are logged and the PDBs found
// so far returned: this only enriches a report.
func (d *Drainer) blockingPDBs(ctx context.Context, pods []corev1.Pod) []string {
	byNS := map[string][]policyv1.PodDisruptionBudget{}
	seen := map[string]bool{}
	var out []string
	for i := range pods {
		p := &pods[i]
		list, ok := byNS[p.Namespace]
		if !ok {
			cctx, cancel := d.callCtx(ctx)
			l, err := d.Client.PolicyV1().PodDisruptionBudgets(p.Namespace).List(cctx, metav1.ListOptions{})
			cancel()
			if err != nil {
				d.log().WarnContext(ctx, "list pod disruption budgets", "namespace", p.Namespace, "error", err)
			} else {
				list = l.Items
			}
			byNS[p.Namespace] = list
		}
		for _, pdb := range MatchingPDBs(p, list) {
			if key := pdb.Namespace + "/" + pdb.Name; !seen[key] {
				seen[key] = true
				out = append(out, key)
			}
		}
	}
	slices.Sort(out)
	return out
}

// MatchingPDBs returns the budgets in pdbs that select pod (same namespace,
// selector matches its labels; a nil selector matches nothing and an empty
// one everything, as in policy/v1).
func MatchingPDBs(pod *corev1.Pod, pdbs []policyv1.PodDisruptionBudget) []policyv1.PodDisruptionBudget {
	var out []policyv1.PodDisruptionBudget
	for _, pdb := range pdbs {
		if pdb.Namespace != pod.Namespace {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil {
			continue
		}
		if sel.Matches(labels.Set(pod.Labels)) {
			out = append(out, pdb)
		}
	}
	return out
}
