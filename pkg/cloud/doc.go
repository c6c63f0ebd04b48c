// Package cloud holds the provider-neutral model of live Scaleway Kubernetes state (Snapshot,
// Cluster, Pool, Node, Version), the typed errors that decide retry versus stop, and the Provider
// interface that apply and the run loop call. It imports no SDK: the scaleway subpackage is the only
// importer of scaleway-sdk-go.
package cloud
