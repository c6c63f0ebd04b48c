// Package checkout is the one type a revision of the user's repository travels as, between the
// git source, the loop, the commands and the reconciler: its content (an fs.FS) and what names
// it (commit, branch, spec digest). A local directory is a checkout without a revision (Dir).
// It is a leaf: it imports only repofs, for reading a directory safely.
package checkout
