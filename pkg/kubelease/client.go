package kubelease

import (
	"fmt"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// NewClient builds the Lease client: from the kubeconfig file when one is named (out of
// cluster), else from the pod's service account (in cluster). Each request is bounded by
// timeout (use half the renew deadline, as client-go's own lock constructor does): one hung
// request must not outlast the renewal.
func NewClient(kubeconfig string, timeout time.Duration) (kubernetes.Interface, error) {
	var cfg *rest.Config
	var err error
	if kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s: %w", kubeconfig, err)
		}
	} else {
		cfg, err = rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("not running in a cluster (give --kubeconfig): %w", err)
		}
	}
	cfg.UserAgent = "scaleway-gitops-reconciler/leader-election"
	cfg.Timeout = max(timeout, time.Second)
	// A few requests per retry period per Lease (shards: one list and a write per held shard):
	// client-go's default 5 QPS would delay renewals past their deadline.
	cfg.QPS, cfg.Burst = 50, 100
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return c, nil
}
