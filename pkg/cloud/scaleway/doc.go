// Package scaleway implements cloud.Provider over scaleway-sdk-go (api/k8s/v1, and api/instance/v1
// for the node-type catalog of ListNodeTypes). It is the only package of the product that imports
// the SDK.
//
// Invariants:
//   - the client is configured as Scaleway's own tools do it: the active profile of the scw config
//     file (SCW_CONFIG_PATH, SCW_PROFILE; a missing file is fine) overridden by the SCW_* environment
//     (SCW_API_URL, SCW_ACCESS_KEY, SCW_SECRET_KEY, SCW_DEFAULT_PROJECT_ID, SCW_DEFAULT_REGION, …);
//   - every error returned is a *cloud.NotFoundError, *cloud.TransientError or *cloud.TerminalError
//     when the API or the network decided it (keeping the API's own message), wrapped once with
//     short context; a cancellation of the caller's context is returned as is, never as transient;
//   - the secret key never appears in an error text: texts that contain it are redacted and the
//     SDK error that held it is dropped from the chain;
//   - reads (the GETs of Observe, GetCluster, ListClusterAvailableTypes, ListNodeTypes, Kubeconfig)
//     are retried per request, each page of a list on its own, while their error maps to *cloud.TransientError:
//     under the WithReadRetry policy (default backoff.Default: 8 tries, pausing from 1s up to 30s
//     with equal jitter), or the server's Retry-After when longer (seen only through New's own
//     HTTP client; over a minute is returned at once), on the injected clock, never once the
//     caller's ctx is done. This is the only retry of a read: callers must not loop around it.
//     Mutations are never retried here (a retried POST could act twice): apply retries them;
//   - Observe costs one cluster list (all pages) per call, one pool list and one node list (all
//     pages, whole cluster) per cluster, and one version list, plus the SDK's own GET /metadata
//     (once per client after its first success), plus one request per retried fault;
//   - mapping is lossless for every field the cloud model holds: sizes in bytes become GB (10^9),
//     scw.Duration becomes time.Duration, node types are kept as the API normalised them;
//   - ListNodeTypes costs every page of the zone's product list and of its availability list
//     (a 404 on the latter leaves availability unknown); it never reads a quota (Quota nil).
package scaleway
