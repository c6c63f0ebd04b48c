package emulator

import (
	"context"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Kubernetes side: each emulator node that has come up is mirrored as a v1 Node object in a real
// kube-apiserver (or any clientset), kept in step with reboot, replace and delete. Operations are
// computed under the state lock and applied, in order, right after it is released.

// Node labels the emulator sets (the k8s.scaleway.com ones are Kapsule's own).
const (
	LabelPoolName = "k8s.scaleway.com/pool-name"
	LabelPoolID   = "k8s.scaleway.com/pool"
	LabelNodeID   = "k8s.scaleway.com/node"
	LabelCluster  = "k8s.scaleway.com/cluster"
	LabelManaged  = "k8s.scaleway.com/managed"
)

type kubeSync struct {
	client kubernetes.Interface
}

func newKubeSync(kubeconfig []byte) (*kubeSync, error) {
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("parse kubeconfig: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return &kubeSync{client: cs}, nil
}

type kubeOp struct {
	name string
	node *corev1.Node // nil: delete
}

func (s *Server) kubeEnabled() bool { return s.kube != nil }

// kubeObject renders a node as a v1 Node (nil when it has not registered yet).
func (s *Server) kubeObject(n *nodeRec) *corev1.Node {
	p := s.st.Pools[n.PoolID]
	if p == nil {
		return nil
	}
	labels := map[string]string{}
	for k, v := range p.Labels {
		labels[k] = v
	}
	for k, v := range map[string]string{
		LabelPoolName: p.Name, LabelPoolID: p.ID, LabelNodeID: n.ID, LabelCluster: n.ClusterID, LabelManaged: "true",
		"topology.kubernetes.io/zone": n.Zone, "topology.kubernetes.io/region": n.Region,
		"failure-domain.beta.kubernetes.io/zone": n.Zone, "node.kubernetes.io/instance-type": p.NodeType,
		"kubernetes.io/hostname": n.Name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
	} {
		labels[k] = v
	}
	var taints []corev1.Taint
	for _, t := range p.Taints {
		taints = append(taints, corev1.Taint{Key: t.Key, Value: t.Value, Effect: corev1.TaintEffect(t.Effect)})
	}
	ready := corev1.ConditionFalse
	reason := "KubeletNotReady"
	if n.Status == "ready" {
		ready, reason = corev1.ConditionTrue, "KubeletReady"
	}
	ts := metav1.NewTime(n.UpdatedAt)
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: labels},
		Spec:       corev1.NodeSpec{ProviderID: n.ProviderID, Taints: taints},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready, Reason: reason,
				LastHeartbeatTime: ts, LastTransitionTime: ts}},
			NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v" + n.Version, ContainerRuntimeVersion: "containerd://2.1.4",
				OperatingSystem: "linux", Architecture: "amd64"},
		},
	}
}

// kubeUpsert queues the node's current Kubernetes view: created once it is ready (it registers),
// updated afterwards (Ready False while rebooting or deleting).
func (s *Server) kubeUpsert(n *nodeRec) {
	if !s.kubeEnabled() || n.ProviderID == "" {
		return
	}
	if obj := s.kubeObject(n); obj != nil {
		s.kops = append(s.kops, kubeOp{name: n.Name, node: obj})
	}
}

func (s *Server) kubeNotReady(n *nodeRec) { s.kubeUpsert(n) }

func (s *Server) kubeDelete(n *nodeRec) {
	if s.kubeEnabled() && n.ProviderID != "" {
		s.kops = append(s.kops, kubeOp{name: n.Name})
	}
}

// kubeRelabelPool re-renders the pool's nodes after a label or taint change.
func (s *Server) kubeRelabelPool(p *poolRec) {
	for _, n := range s.st.nodesOf(p.ID) {
		s.kubeUpsert(n)
	}
}

// applyKube runs queued operations in order; errors are logged, never fatal (the API side is the
// source of truth). Called with kubeMu held and mu released.
func (s *Server) applyKube(ops []kubeOp) {
	if s.kube == nil {
		return
	}
	for _, op := range ops {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		var err error
		if op.node == nil {
			err = s.kube.client.CoreV1().Nodes().Delete(ctx, op.name, metav1.DeleteOptions{})
			if apierrors.IsNotFound(err) {
				err = nil
			}
		} else {
			err = s.kubePut(ctx, op.node)
		}
		cancel()
		if err != nil {
			s.opts.Logf("emulator: kube node %s: %v", op.name, err)
		}
	}
}

func (s *Server) kubePut(ctx context.Context, want *corev1.Node) error {
	nodes := s.kube.client.CoreV1().Nodes()
	cur, err := nodes.Get(ctx, want.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if want.Status.Conditions[0].Status != corev1.ConditionTrue {
			return nil // never registered, nothing to mark not ready
		}
		created, err := nodes.Create(ctx, want, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("create: %w", err)
		}
		created.Status = want.Status
		created, err = nodes.UpdateStatus(ctx, created, metav1.UpdateOptions{})
		if err != nil {
			return fmt.Errorf("update status: %w", err)
		}
		// The TaintNodesByCondition admission plugin taints every new node not-ready; the node
		// lifecycle controller lifts it once the node is Ready. Play that controller.
		if t := liftNotReady(created.Spec.Taints, true); len(t) != len(created.Spec.Taints) {
			created.Spec.Taints = t
			if _, err := nodes.Update(ctx, created, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("lift not-ready taint: %w", err)
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	// keep labels others set (e.g. cordon does not touch labels; drains add none), override ours
	next := cur.DeepCopy()
	if next.Labels == nil {
		next.Labels = map[string]string{}
	}
	for k, v := range want.Labels {
		next.Labels[k] = v
	}
	if next.Spec.ProviderID == "" {
		next.Spec.ProviderID = want.Spec.ProviderID
	}
	next.Spec.Taints = liftNotReady(mergeTaints(cur.Spec.Taints, want.Spec.Taints),
		want.Status.Conditions[0].Status == corev1.ConditionTrue)
	updated, err := nodes.Update(ctx, next, metav1.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	updated.Status.Conditions = setCondition(updated.Status.Conditions, want.Status.Conditions[0])
	updated.Status.NodeInfo = want.Status.NodeInfo
	if _, err := nodes.UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("update status: %w", err)
	}
	return nil
}

// mergeTaints keeps taints the pool does not own (e.g. node.kubernetes.io/unschedulable set by a
// cordon) and sets the pool's.
func mergeTaints(cur, pool []corev1.Taint) []corev1.Taint {
	out := append([]corev1.Taint{}, pool...)
	seen := map[string]bool{}
	for _, t := range pool {
		seen[t.Key+"/"+string(t.Effect)] = true
	}
	for _, t := range cur {
		if !seen[t.Key+"/"+string(t.Effect)] && len(t.Key) > 0 && isSystemTaint(t.Key) {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func isSystemTaint(key string) bool {
	return len(key) > 19 && key[:19] == "node.kubernetes.io/" || len(key) > 19 && key[:19] == "node.cloudprovider."
}

func setCondition(conds []corev1.NodeCondition, c corev1.NodeCondition) []corev1.NodeCondition {
	for i := range conds {
		if conds[i].Type == c.Type {
			if conds[i].Status == c.Status {
				c.LastTransitionTime = conds[i].LastTransitionTime
			}
			conds[i] = c
			return conds
		}
	}
	return append(conds, c)
}

// taintNotReady is the taint the admission plugin TaintNodesByCondition puts on new nodes.
const taintNotReady = "node.kubernetes.io/not-ready"

// liftNotReady removes the not-ready taint from a Ready node (as the node lifecycle controller
// does); taints of a node that is not Ready are kept.
func liftNotReady(taints []corev1.Taint, ready bool) []corev1.Taint {
	if !ready {
		return taints
	}
	var out []corev1.Taint
	for _, t := range taints {
		if t.Key != taintNotReady {
			out = append(out, t)
		}
	}
	return out
}
