package deploy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"github.com/scaleway-gitops/reconciler/pkg/kubetest"
)

// decodeObjects splits multi-document YAML into objects (integers as int64, as
// the API machinery has them), dropping empty documents (comment-only ones, or
// templates rendered to nothing).
func decodeObjects(t *testing.T, name string, data []byte) []*unstructured.Unstructured {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []*unstructured.Unstructured
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s := string(bytes.TrimSpace(js)); s == "null" || s == "{}" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, doc)
		}
		if u.GetName() == "" {
			t.Fatalf("%s: a document without metadata.name:\n%s", name, doc)
		}
		objs = append(objs, u)
	}
}

func readObjects(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodeObjects(t, filepath.Base(path), b)
}

// byKind indexes objects by kind, then name.
func byKind(objs []*unstructured.Unstructured) map[string]map[string]*unstructured.Unstructured {
	m := map[string]map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		if m[o.GetKind()] == nil {
			m[o.GetKind()] = map[string]*unstructured.Unstructured{}
		}
		m[o.GetKind()][o.GetName()] = o
	}
	return m
}

// theOne returns the only object of a kind.
func theOne(t *testing.T, objs []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	t.Helper()
	var found []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d objects of kind %s, want 1", len(found), kind)
	}
	return found[0]
}

func toDeployment(t *testing.T, u *unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	d := &appsv1.Deployment{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, d, true); err != nil {
		t.Fatalf("Deployment %s: %v", u.GetName(), err)
	}
	return d
}

// apiServer is a real control plane with the clients the dry-run needs.
type apiServer struct {
	env    *kubetest.Env
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

func startAPIServer(t *testing.T) *apiServer {
	t.Helper()
	env := kubetest.Start(t, kubetest.Options{NoControllerManager: true})
	dc, err := discovery.NewDiscoveryClientForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := restmapper.GetAPIGroupResources(dc)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	return &apiServer{env: env, dyn: dyn, mapper: restmapper.NewDiscoveryRESTMapper(groups)}
}

// ensureNamespace really creates ns: a namespaced dry-run create needs it to exist.
func (s *apiServer) ensureNamespace(t *testing.T, ns string) {
	t.Helper()
	nso := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
	_, err := s.dyn.Resource(namespaces).Create(context.Background(), nso, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %q: %v", ns, err)
	}
}

var namespaces = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// dryRunCreate creates each object with dryRun=All and strict field validation, so
// the API server defaults, validates and admits it without storing it. An object
// whose kind the server does not serve (a CRD that is absent) is skipped only if
// optional names its kind; it fails the test otherwise.
func (s *apiServer) dryRunCreate(t *testing.T, objs []*unstructured.Unstructured, optional ...string) (created int) {
	t.Helper()
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		m, err := s.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if meta.IsNoMatchError(err) && slices.Contains(optional, gvk.Kind) {
			t.Logf("%s %s: kind not served (its CRD is absent): not validated", gvk.Kind, o.GetName())
			continue
		}
		if err != nil {
			t.Errorf("%s %s: %v", gvk.Kind, o.GetName(), err)
			continue
		}
		if err := s.dryRun(o, m); err != nil && !(gvk.Kind == "Namespace" && apierrors.IsAlreadyExists(err)) {
			t.Errorf("%s %s: the API server refuses it: %v", gvk.Kind, o.GetName(), err)
			continue
		}
		created++
	}
	return created
}

// dryRun creates o with dryRun=All and strict field validation (unknown or
// duplicate fields are errors, not warnings).
func (s *apiServer) dryRun(o *unstructured.Unstructured, m *meta.RESTMapping) error {
	ri := dynamic.ResourceInterface(s.dyn.Resource(m.Resource))
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		if o.GetNamespace() == "" {
			return errors.New("namespaced but has no metadata.namespace")
		}
		ri = s.dyn.Resource(m.Resource).Namespace(o.GetNamespace())
	}
	opts := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"}
	_, err := ri.Create(context.Background(), o, opts)
	return err
}
