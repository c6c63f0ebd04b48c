// Package gittest starts real git servers on 127.0.0.1 for tests and drives
// the git CLI to act as users: smart HTTP (git http-backend behind
// net/http/cgi), SSH (gliderlabs/ssh running git upload-pack/receive-pack),
// bare repositories for file:// and plain paths, user clones that commit and
// push with retries, and log/fsck readers.
//
// Invariants: nothing listens beyond 127.0.0.1; every process and directory
// is cleaned up with t.Cleanup; the git CLI runs with no global or system
// config (GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_NOSYSTEM=1) and a fixed
// identity, so results do not depend on the machine.
package gittest
