package giteatest

import "github.com/scaleway-gitops/reconciler/pkg/kubetest"

// TB is the part of TB this package uses (kubetest.TB): *testing.T satisfies it, and so
// can the demo without linking the testing package into the binary.
type TB = kubetest.TB
