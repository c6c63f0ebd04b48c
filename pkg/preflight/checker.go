package preflight

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/scaleway-gitops/reconciler/pkg/drain"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// DefaultTimeout bounds the checks of one cluster.
const DefaultTimeout = 10 * time.Second

// maxListed bounds the objects listed per removed resource (one page).
const maxListed = 500

// Checker runs the pre-flight checks. Kubeconfig is required.
type Checker struct {
	// Kubeconfig returns a cluster's admin kubeconfig (cloud.Provider.Kubeconfig).
	Kubeconfig func(ctx context.Context, region, clusterID string) ([]byte, error)
	// Timeout bounds each cluster's checks (default DefaultTimeout).
	Timeout time.Duration
	// Removals is the table of API removals (default Kubernetes).
	Removals Table
	Log      *slog.Logger
}

// Check runs the checks each request asks for, one cluster after the other, and returns the
// results by cluster key. A cluster that cannot be read is Skipped with the reason.
func (c *Checker) Check(ctx context.Context, reqs []plan.PreflightRequest) map[string]*plan.Preflight {
	out := map[string]*plan.Preflight{}
	for _, r := range reqs {
		out[r.Key] = c.checkCluster(ctx, r)
	}
	return out
}

func (c *Checker) checkCluster(ctx context.Context, r plan.PreflightRequest) *plan.Preflight {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pf, err := c.read(ctx, r)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			err = fmt.Errorf("no answer within %s", timeout)
		}
		if c.Log != nil {
			c.Log.Warn("pre-flight skipped", "cluster", r.Cluster, "err", err)
		}
		return &plan.Preflight{Skipped: "cluster unreachable: " + err.Error()}
	}
	return pf
}

func (c *Checker) read(ctx context.Context, r plan.PreflightRequest) (*plan.Preflight, error) {
	kc, err := c.Kubeconfig(ctx, r.Region, r.ClusterID)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	cfg, err := drain.RESTConfig(kc)
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "scaleway-gitops-reconciler/preflight"
	if dl, ok := ctx.Deadline(); ok {
		cfg.Timeout = time.Until(dl)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	pf := &plan.Preflight{}
	if len(r.Pools) > 0 {
		obj, err := readObjects(ctx, client)
		if err != nil {
			return nil, err
		}
		for _, p := range r.Pools {
			pf.Pools = append(pf.Pools, EvaluatePool(obj, p))
		}
	}
	if len(r.Minors) > 0 {
		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("dynamic client: %w", err)
		}
		table := c.Removals
		if table == nil {
			table = Kubernetes
		}
		for _, m := range r.Minors {
			found, err := removedInUse(ctx, client.Discovery(), dyn, table.For(m))
			if err != nil {
				return nil, fmt.Errorf("removed APIs of %s: %w", m, err)
			}
			pf.CheckedMinors = append(pf.CheckedMinors, m)
			pf.RemovedAPIs = append(pf.RemovedAPIs, found...)
		}
	}
	return pf, nil
}

// readObjects lists the nodes, pods and budgets once, and resolves each pod's workload.
func readObjects(ctx context.Context, client kubernetes.Interface) (*Objects, error) {
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	pods, err := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	pdbs, err := client.PolicyV1().PodDisruptionBudgets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list pod disruption budgets: %w", err)
	}
	obj := &Objects{Nodes: nodes.Items, Pods: pods.Items, PDBs: pdbs.Items, Owners: map[string]Workload{}}
	cache := map[string]Workload{}
	for i := range obj.Pods {
		p := &obj.Pods[i]
		ref := metav1.GetControllerOf(p)
		if ref == nil {
			continue
		}
		w, err := resolve(ctx, client, p.Namespace, ref, cache)
		if err != nil {
			return nil, err
		}
		obj.Owners[podKey(p)] = w
	}
	return obj, nil
}

// resolve follows a pod's controller to its workload: a ReplicaSet to its Deployment, with the
// replica count. An owner that is gone counts as unknown (-1 replicas).
func resolve(ctx context.Context, client kubernetes.Interface, ns string, ref *metav1.OwnerReference, cache map[string]Workload) (Workload, error) {
	key := ns + "/" + ref.Kind + "/" + ref.Name
	if w, ok := cache[key]; ok {
		return w, nil
	}
	w := Workload{Kind: ref.Kind, Name: ref.Name, Replicas: -1}
	var err error
	switch ref.Kind {
	case "ReplicaSet":
		var rs *appsReplicaSet
		rs, err = getReplicaSet(ctx, client, ns, ref.Name)
		if err == nil && rs != nil {
			w.Replicas = rs.replicas
			if rs.owner != nil && rs.owner.Kind == "Deployment" {
				d, derr := client.AppsV1().Deployments(ns).Get(ctx, rs.owner.Name, metav1.GetOptions{})
				switch {
				case derr == nil:
					w = Workload{Kind: "Deployment", Name: d.Name, Replicas: replicas(d.Spec.Replicas)}
				case !apierrors.IsNotFound(derr):
					err = derr
				}
			}
		}
	case "StatefulSet":
		s, serr := client.AppsV1().StatefulSets(ns).Get(ctx, ref.Name, metav1.GetOptions{})
		switch {
		case serr == nil:
			w.Replicas = replicas(s.Spec.Replicas)
		case !apierrors.IsNotFound(serr):
			err = serr
		}
	}
	if err != nil {
		return Workload{}, fmt.Errorf("get %s %s/%s: %w", ref.Kind, ns, ref.Name, err)
	}
	cache[key] = w
	return w, nil
}

type appsReplicaSet struct {
	replicas int32
	owner    *metav1.OwnerReference
}

func getReplicaSet(ctx context.Context, client kubernetes.Interface, ns, name string) (*appsReplicaSet, error) {
	rs, err := client.AppsV1().ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &appsReplicaSet{replicas: replicas(rs.Spec.Replicas), owner: metav1.GetControllerOf(rs)}, nil
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1 // the API default
	}
	return *p
}

// removedInUse finds, for each removal whose version the cluster still serves, the objects in
// use there (Evidence).
func removedInUse(ctx context.Context, disc discovery.DiscoveryInterface, dyn dynamic.Interface, removals []Removal) ([]plan.RemovedAPI, error) {
	if len(removals) == 0 {
		return nil, nil
	}
	_, lists, err := disc.ServerGroupsAndResources()
	if err != nil && len(lists) == 0 {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	// served: group/resource -> the versions that serve it.
	served := map[string][]string{}
	for _, l := range lists {
		gv, perr := schema.ParseGroupVersion(l.GroupVersion)
		if perr != nil {
			continue
		}
		for _, res := range l.APIResources {
			k := gv.Group + "/" + res.Name
			served[k] = append(served[k], gv.Version)
		}
	}
	var out []plan.RemovedAPI
	for _, r := range removals {
		versions := served[r.Group+"/"+r.Resource]
		if !slices.Contains(versions, r.Version) {
			continue
		}
		gvr := schema.GroupVersionResource{Group: r.Group, Version: r.Version, Resource: r.Resource}
		list, err := dyn.Resource(gvr).List(ctx, metav1.ListOptions{Limit: maxListed})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", r.GroupVersion()+"/"+r.Resource, err)
		}
		only := len(versions) == 1
		for i := range list.Items {
			o := &list.Items[i]
			if ev, ok := Evidence(o, r.GroupVersion(), only); ok {
				out = append(out, removedUse(r, o, ev))
			}
		}
	}
	return out, nil
}
