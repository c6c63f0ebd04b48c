// Package cloudtest is the behavioural contract every cloud.Provider must meet: Run executes the
// same checks against cloudfake (always) and against the scaleway adapter over the emulator, so the
// fake cannot silently diverge from what the API does. Checks assert only behaviour the reference
// (docs/scaleway-k8s-api.md §5) documents or observed; they wait for statuses by
// polling with a deadline, calling Env.Settle between polls to let time pass.
package cloudtest
