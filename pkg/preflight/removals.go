package preflight

import "slices"

// Removal is one API version of a resource that a Kubernetes minor no longer serves.
type Removal struct {
	// Minor is the first minor that no longer serves it, e.g. "1.25".
	Minor    string
	Group    string // "" for the core group
	Version  string
	Resource string // plural, lower-case: "poddisruptionbudgets"
	Kind     string
	// Replacement is the API version to migrate to.
	Replacement string
}

// GroupVersion is "group/version" ("version" for the core group).
func (r Removal) GroupVersion() string {
	if r.Group == "" {
		return r.Version
	}
	return r.Group + "/" + r.Version
}

// Table is a list of removals; tests inject their own.
type Table []Removal

// For returns the removals of one minor ("1.36"), in table order.
func (t Table) For(minor string) []Removal {
	var out []Removal
	for _, r := range t {
		if r.Minor == minor {
			out = append(out, r)
		}
	}
	return out
}

// Minors lists the minors the table has removals for, in table order.
func (t Table) Minors() []string {
	var out []string
	for _, r := range t {
		if !slices.Contains(out, r.Minor) {
			out = append(out, r.Minor)
		}
	}
	return out
}

// KubernetesSource is where Kubernetes is taken from.
const KubernetesSource = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"

// Kubernetes is the table of API removals of the Kubernetes deprecation guide (KubernetesSource),
// from v1.22 (older minors are not offered by Scaleway). The guide lists no removal after v1.32;
// add rows here when it does.
var Kubernetes = Table{
	// v1.22
	{"1.22", "admissionregistration.k8s.io", "v1beta1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1"},
	{"1.22", "admissionregistration.k8s.io", "v1beta1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1"},
	{"1.22", "apiextensions.k8s.io", "v1beta1", "customresourcedefinitions", "CustomResourceDefinition", "apiextensions.k8s.io/v1"},
	{"1.22", "apiregistration.k8s.io", "v1beta1", "apiservices", "APIService", "apiregistration.k8s.io/v1"},
	{"1.22", "certificates.k8s.io", "v1beta1", "certificatesigningrequests", "CertificateSigningRequest", "certificates.k8s.io/v1"},
	{"1.22", "coordination.k8s.io", "v1beta1", "leases", "Lease", "coordination.k8s.io/v1"},
	{"1.22", "extensions", "v1beta1", "ingresses", "Ingress", "networking.k8s.io/v1"},
	{"1.22", "networking.k8s.io", "v1beta1", "ingresses", "Ingress", "networking.k8s.io/v1"},
	{"1.22", "networking.k8s.io", "v1beta1", "ingressclasses", "IngressClass", "networking.k8s.io/v1"},
	{"1.22", "rbac.authorization.k8s.io", "v1beta1", "clusterroles", "ClusterRole", "rbac.authorization.k8s.io/v1"},
	{"1.22", "rbac.authorization.k8s.io", "v1beta1", "clusterrolebindings", "ClusterRoleBinding", "rbac.authorization.k8s.io/v1"},
	{"1.22", "rbac.authorization.k8s.io", "v1beta1", "roles", "Role", "rbac.authorization.k8s.io/v1"},
	{"1.22", "rbac.authorization.k8s.io", "v1beta1", "rolebindings", "RoleBinding", "rbac.authorization.k8s.io/v1"},
	{"1.22", "scheduling.k8s.io", "v1beta1", "priorityclasses", "PriorityClass", "scheduling.k8s.io/v1"},
	{"1.22", "storage.k8s.io", "v1beta1", "csidrivers", "CSIDriver", "storage.k8s.io/v1"},
	{"1.22", "storage.k8s.io", "v1beta1", "csinodes", "CSINode", "storage.k8s.io/v1"},
	{"1.22", "storage.k8s.io", "v1beta1", "storageclasses", "StorageClass", "storage.k8s.io/v1"},
	{"1.22", "storage.k8s.io", "v1beta1", "volumeattachments", "VolumeAttachment", "storage.k8s.io/v1"},
	// v1.25
	{"1.25", "batch", "v1beta1", "cronjobs", "CronJob", "batch/v1"},
	{"1.25", "discovery.k8s.io", "v1beta1", "endpointslices", "EndpointSlice", "discovery.k8s.io/v1"},
	{"1.25", "events.k8s.io", "v1beta1", "events", "Event", "events.k8s.io/v1"},
	{"1.25", "autoscaling", "v2beta1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling/v2"},
	{"1.25", "policy", "v1beta1", "poddisruptionbudgets", "PodDisruptionBudget", "policy/v1"},
	{"1.25", "policy", "v1beta1", "podsecuritypolicies", "PodSecurityPolicy", ""},
	{"1.25", "node.k8s.io", "v1beta1", "runtimeclasses", "RuntimeClass", "node.k8s.io/v1"},
	// v1.26
	{"1.26", "flowcontrol.apiserver.k8s.io", "v1beta1", "flowschemas", "FlowSchema", "flowcontrol.apiserver.k8s.io/v1"},
	{"1.26", "flowcontrol.apiserver.k8s.io", "v1beta1", "prioritylevelconfigurations", "PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io/v1"},
	{"1.26", "autoscaling", "v2beta2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling/v2"},
	// v1.27
	{"1.27", "storage.k8s.io", "v1beta1", "csistoragecapacities", "CSIStorageCapacity", "storage.k8s.io/v1"},
	// v1.29
	{"1.29", "flowcontrol.apiserver.k8s.io", "v1beta2", "flowschemas", "FlowSchema", "flowcontrol.apiserver.k8s.io/v1"},
	{"1.29", "flowcontrol.apiserver.k8s.io", "v1beta2", "prioritylevelconfigurations", "PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io/v1"},
	// v1.32
	{"1.32", "flowcontrol.apiserver.k8s.io", "v1beta3", "flowschemas", "FlowSchema", "flowcontrol.apiserver.k8s.io/v1"},
	{"1.32", "flowcontrol.apiserver.k8s.io", "v1beta3", "prioritylevelconfigurations", "PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io/v1"},
}
