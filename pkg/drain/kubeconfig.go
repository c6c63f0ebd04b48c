package drain

import (
	"fmt"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// RESTConfig turns kubeconfig bytes (as returned by Scaleway's
// GetClusterKubeConfig) into a client config for its current context. The
// error never contains the kubeconfig's credentials.
func RESTConfig(kubeconfig []byte) (*rest.Config, error) {
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		// clientcmd's errors name fields, not values; still, keep them out of
		// the message in case a future version quotes the input.
		return nil, fmt.Errorf("parse kubeconfig: invalid (%d bytes)", len(kubeconfig))
	}
	cfg.UserAgent = "scaleway-gitops-reconciler/drain"
	// client-go's default (5 QPS, burst 10) would throttle a drain of a
	// busy node; the API server's own priority and fairness still applies.
	cfg.QPS, cfg.Burst = 20, 50
	return cfg, nil
}

// NewForKubeconfig builds a Drainer for the cluster the kubeconfig names,
// with the real clock and the given options.
func NewForKubeconfig(kubeconfig []byte, opts Options) (*Drainer, error) {
	cfg, err := RESTConfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return &Drainer{Client: client, Options: opts}, nil
}
