package preflight

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// lastAppliedAnnotation is kubectl's record of the last applied manifest.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// Evidence says whether an object listed through the removed version gv is in use there: when gv
// is the only version serving its resource (onlyServed), or when a field manager or the last
// applied manifest wrote it through gv. An object that other versions serve and nobody wrote
// through gv is not counted: the API server converts it, and nothing breaks when gv goes.
func Evidence(obj metav1.Object, gv string, onlyServed bool) (string, bool) {
	if onlyServed {
		return "only served in " + gv, true
	}
	for _, mf := range obj.GetManagedFields() {
		if mf.APIVersion == gv {
			return fmt.Sprintf("written through %s by %s", gv, orUnknown(mf.Manager)), true
		}
	}
	if la, ok := obj.GetAnnotations()[lastAppliedAnnotation]; ok {
		var m struct {
			APIVersion string `json:"apiVersion"`
		}
		if json.Unmarshal([]byte(la), &m) == nil && m.APIVersion == gv {
			return "last applied as " + gv, true
		}
	}
	return "", false
}

func orUnknown(s string) string {
	if s == "" {
		return "an unnamed manager"
	}
	return s
}

// removedUse is one object found, for the plan.
func removedUse(r Removal, obj metav1.Object, evidence string) plan.RemovedAPI {
	return plan.RemovedAPI{Minor: r.Minor, APIVersion: r.GroupVersion(), Kind: r.Kind,
		Namespace: obj.GetNamespace(), Name: obj.GetName(), Replacement: r.Replacement, Evidence: evidence}
}
