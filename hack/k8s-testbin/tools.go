//go:build tools

// Package tools pins the three main packages build.sh compiles, so that
// `go mod tidy` keeps them (and their exact versions) in go.sum.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
