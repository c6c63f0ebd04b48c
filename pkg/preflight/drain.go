package preflight

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/scaleway-gitops/reconciler/pkg/drain"
	"github.com/scaleway-gitops/reconciler/pkg/plan"
)

// PoolLabel is the node label that names a node's pool on Kapsule (and in the emulator).
const PoolLabel = "k8s.scaleway.com/pool-name"

// Workload is the controller a pod belongs to, as far as the drain cares.
type Workload struct {
	Kind     string // Deployment, StatefulSet, ReplicaSet, DaemonSet, Job, … ("" for a bare pod)
	Name     string
	Replicas int32 // -1 when it does not apply (DaemonSet, Job, unknown kinds)
}

// Objects is what one cluster holds, read once for every pool of a request.
type Objects struct {
	Nodes []corev1.Node
	Pods  []corev1.Pod
	PDBs  []policyv1.PodDisruptionBudget
	// Owners is the workload of each pod ("namespace/name"); a pod absent here is bare.
	Owners map[string]Workload
}

// EvaluatePool judges the drain of the nodes req names (every node of the pool when it names
// none). It is pure.
func EvaluatePool(obj *Objects, req plan.DrainRequest) plan.PoolDrain {
	drained := map[string]*corev1.Node{}
	for i := range obj.Nodes {
		n := &obj.Nodes[i]
		if n.Labels[PoolLabel] != req.Pool {
			continue
		}
		if len(req.Nodes) == 0 || slices.Contains(req.Nodes, n.Name) {
			drained[n.Name] = n
		}
	}
	out := plan.PoolDrain{Pool: req.Pool, Nodes: len(drained), Findings: []plan.Finding{}}
	var evicted []*corev1.Pod
	for i := range obj.Pods {
		p := &obj.Pods[i]
		if drained[p.Spec.NodeName] != nil && evictable(p, obj.Owners) {
			evicted = append(evicted, p)
		}
	}
	slices.SortFunc(evicted, func(a, b *corev1.Pod) int { return cmp.Compare(podKey(a), podKey(b)) })
	out.Pods = len(evicted)

	blocked := map[string][]string{} // pdb -> pods it covers
	var pdbOrder []string
	single := map[string]bool{}
	for _, p := range evicted {
		pdbs := drain.MatchingPDBs(p, obj.PDBs)
		for _, pdb := range pdbs {
			key := pdb.Namespace + "/" + pdb.Name
			if allowed := disruptionsAllowed(&pdb, obj.Pods); allowed > 0 {
				continue
			}
			if _, seen := blocked[key]; !seen {
				pdbOrder = append(pdbOrder, key)
			}
			blocked[key] = append(blocked[key], podKey(p))
		}
		if len(pdbs) == 0 {
			w, owned := obj.Owners[podKey(p)]
			switch {
			case !owned || w.Kind == "":
				out.Findings = append(out.Findings, plan.Finding{Code: plan.FindingSingleReplica,
					Message: fmt.Sprintf("%s (bare pod) has no PDB and no controller: it is deleted, not rescheduled", podKey(p))})
			case w.Replicas == 1:
				k := p.Namespace + "/" + w.Name + " (" + w.Kind + ")"
				if !single[k] {
					single[k] = true
					out.Findings = append(out.Findings, plan.Finding{Code: plan.FindingSingleReplica,
						Message: k + " has no PDB: its only replica is down during the drain"})
				}
			}
		}
		if vols := localVolumes(p); len(vols) > 0 {
			out.Findings = append(out.Findings, plan.Finding{Code: plan.FindingLocalStorage,
				Message: fmt.Sprintf("%s uses %s: the data is lost when it is evicted", podKey(p), strings.Join(vols, ", "))})
		}
	}
	var blockedF []plan.Finding
	for _, key := range pdbOrder {
		blockedF = append(blockedF, plan.Finding{Code: plan.FindingDrainBlocked,
			Message: fmt.Sprintf("pdb %s allows 0 disruptions (covers %s)", key, strings.Join(blocked[key], ", "))})
	}
	out.Findings = append(blockedF, out.Findings...)
	if req.Why != plan.ReplacePool {
		if f, ok := capacity(obj, drained, evicted, req.Surge); ok {
			out.Findings = append(out.Findings, f)
		}
	}
	return out
}

func podKey(p *corev1.Pod) string { return p.Namespace + "/" + p.Name }

// evictable reports whether a drain evicts the pod: not finished, not a static pod's mirror, not
// a DaemonSet's (drains leave those).
func evictable(p *corev1.Pod, owners map[string]Workload) bool {
	if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed || p.DeletionTimestamp != nil {
		return false
	}
	if _, mirror := p.Annotations[drain.MirrorPodAnnotation]; mirror {
		return false
	}
	if w, ok := owners[podKey(p)]; ok && w.Kind == "DaemonSet" {
		return false
	}
	return true
}

// localVolumes names the pod's emptyDir and hostPath volumes.
func localVolumes(p *corev1.Pod) []string {
	var out []string
	for _, v := range p.Spec.Volumes {
		switch {
		case v.EmptyDir != nil:
			out = append(out, fmt.Sprintf("emptyDir %q", v.Name))
		case v.HostPath != nil:
			out = append(out, fmt.Sprintf("hostPath %q (%s)", v.Name, v.HostPath.Path))
		}
	}
	return out
}

// disruptionsAllowed is the budget's status when the disruption controller has observed its
// current generation, else what the controller would compute from its spec and the pods.
func disruptionsAllowed(pdb *policyv1.PodDisruptionBudget, pods []corev1.Pod) int32 {
	if pdb.Status.ObservedGeneration > 0 && pdb.Status.ObservedGeneration >= pdb.Generation {
		return pdb.Status.DisruptionsAllowed
	}
	var expected, healthy int32
	for i := range pods {
		p := &pods[i]
		if len(drain.MatchingPDBs(p, []policyv1.PodDisruptionBudget{*pdb})) == 0 || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		expected++
		if podReady(p) {
			healthy++
		}
	}
	scaled := func(v *intstr.IntOrString, roundUp bool) int32 {
		n, err := intstr.GetScaledValueFromIntOrPercent(v, int(expected), roundUp)
		if err != nil {
			return 0
		}
		return int32(n)
	}
	var allowed int32
	switch {
	case pdb.Spec.MinAvailable != nil:
		allowed = healthy - scaled(pdb.Spec.MinAvailable, true)
	case pdb.Spec.MaxUnavailable != nil:
		allowed = scaled(pdb.Spec.MaxUnavailable, true) - (expected - healthy)
	default:
		allowed = healthy
	}
	return max(allowed, 0)
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// capacity checks that the nodes that stay (Ready, schedulable, not drained) plus surge nodes
// like the drained ones can hold the evicted pods' requests.
func capacity(obj *Objects, drained map[string]*corev1.Node, evicted []*corev1.Pod, surge int) (plan.Finding, bool) {
	var needCPU, needMem resource.Quantity
	for _, p := range evicted {
		c, m := podRequests(p)
		needCPU.Add(c)
		needMem.Add(m)
	}
	if needCPU.IsZero() && needMem.IsZero() {
		return plan.Finding{}, false
	}
	used := map[string][2]resource.Quantity{}
	for i := range obj.Pods {
		p := &obj.Pods[i]
		if p.Spec.NodeName == "" || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		c, m := podRequests(p)
		u := used[p.Spec.NodeName]
		u[0].Add(c)
		u[1].Add(m)
		used[p.Spec.NodeName] = u
	}
	var freeCPU, freeMem resource.Quantity
	remaining := 0
	for i := range obj.Nodes {
		n := &obj.Nodes[i]
		if drained[n.Name] != nil || n.Spec.Unschedulable || !nodeReady(n) {
			continue
		}
		remaining++
		u := used[n.Name]
		c, m := n.Status.Allocatable.Cpu().DeepCopy(), n.Status.Allocatable.Memory().DeepCopy()
		c.Sub(u[0])
		m.Sub(u[1])
		if c.Sign() > 0 {
			freeCPU.Add(c)
		}
		if m.Sign() > 0 {
			freeMem.Add(m)
		}
	}
	surgeNote := ""
	if surge > 0 {
		names := make([]string, 0, len(drained))
		for name := range drained {
			names = append(names, name)
		}
		slices.Sort(names)
		if len(names) > 0 {
			a := drained[names[0]].Status.Allocatable
			for range surge {
				freeCPU.Add(a.Cpu().DeepCopy())
				freeMem.Add(a.Memory().DeepCopy())
			}
			surgeNote = fmt.Sprintf(" plus %d surge node(s)", surge)
		}
	}
	if needCPU.Cmp(freeCPU) <= 0 && needMem.Cmp(freeMem) <= 0 {
		return plan.Finding{}, false
	}
	return plan.Finding{Code: plan.FindingCapacity, Message: fmt.Sprintf(
		"the %d evicted pod(s) request %s CPU and %s memory; the %d node(s) that stay%s have %s CPU and %s memory free",
		len(evicted), needCPU.String(), needMem.String(), remaining, surgeNote, freeCPU.String(), freeMem.String())}, true
}

// podRequests is what the scheduler reserves for a pod: the larger of its containers' sum and
// its largest init container, plus its overhead.
func podRequests(p *corev1.Pod) (cpu, mem resource.Quantity) {
	for _, c := range p.Spec.Containers {
		cpu.Add(c.Resources.Requests.Cpu().DeepCopy())
		mem.Add(c.Resources.Requests.Memory().DeepCopy())
	}
	for _, c := range p.Spec.InitContainers {
		if r := c.Resources.Requests.Cpu(); r.Cmp(cpu) > 0 {
			cpu = r.DeepCopy()
		}
		if r := c.Resources.Requests.Memory(); r.Cmp(mem) > 0 {
			mem = r.DeepCopy()
		}
	}
	if o := p.Spec.Overhead; o != nil {
		cpu.Add(o.Cpu().DeepCopy())
		mem.Add(o.Memory().DeepCopy())
	}
	return cpu, mem
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
