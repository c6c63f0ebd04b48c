// Package spec holds the user-facing cluster spec (docs/contracts.md §2): its Go types, loading from a
// repository tree with strict YAML decoding, defaulting in one place, and validation that reports
// every error at once with file, line, column and field path.
//
// It is pure: it reads files only through the fs.FS it is given (repofs.Dir for a local directory,
// source.TreeFS for a commit), reads no clock and logs nothing. (Time zone names are resolved with
// time.LoadLocation, which reads the system zoneinfo or the embedded time/tzdata.)
//
// # Entry points
//
//   - Load(fsys) (*Repo, error): every `kind: Cluster` document in *.yaml/*.yml under clusters/
//     (any depth, several documents per file), plus the optional reconciler.yaml (Settings). On
//     success every cluster has the repo defaults merged (reconciler.yaml) and the built-in
//     defaults applied (Default), and is valid. On failure Load returns a nil Repo and an
//     ErrorList with every problem: never act on a partially loaded repository.
//   - Repo{Settings, Clusters, Files}: Clusters are in file, then line order; Source gives each
//     one's file and line, Cluster.Pos the file:line:col where spec.version, each pool
//     (spec.pools[N]) and its nodeType and zone were written (Positions, recorded at load, so
//     that plan errors point where validate's would).
//   - Identity: a cluster is matched to the cloud by project, region and name (plan.Key, after
//     the profile's project and region fill empty ones). Load rejects a name declared twice
//     anywhere in the repository, since status/<name>.yaml and reports/<name>.md are per name.
//   - ParseVersion / Version: "1.35" (a minor: follow its latest patch) or "1.35.3" (exact);
//     Compare, CompareMinor, Matches.
//   - Default(*Cluster), Validate(*Cluster): the same steps for clusters built in code (tests,
//     fixtures).
//   - MarshalClusters: the fully defaulted YAML (`reconciler validate --show-defaults`).
//   - Helpers: IsKosmos, (*Pool).IsExternal, NormalizeNodeType ("PRO2-S" → "pro2_s", the API's
//     spelling), ZoneRegion, (*Cluster).Pool(name), Regions, ClusterTypes.
//
// # Invariants
//
//   - Strict: field names are case-sensitive, unknown fields and duplicate keys are errors, and a
//     scalar that sigs.k8s.io/yaml would silently change (version: 1.30 → "1.3", on → "true") is
//     an error asking for quotes. Values have sigs.k8s.io/yaml's (UnmarshalStrict) meaning: YAML
//     1.1 scalars, so yes/no still mean true/false in boolean fields, then the json tags and
//     UnmarshalJSON methods as encoding/json applies them.
//   - One parse: each document is parsed once, with go.yaml.in/yaml/v3's node API, and one walk
//     over the nodes checks the structure, maps field paths to line:column and decodes the values.
//     The rare document this decoder does not model (an explicit tag such as `!!str` or `!`, or a
//     value that passes the checks but that sigs.k8s.io/yaml refuses) is decoded by
//     sigs.k8s.io/yaml instead, for the same values and errors. A value inherited from
//     reconciler.yaml is reported there, once.
//   - Errors: FieldError{File, Line, Column, Path, Message, Hint}, rendered
//     `file:line:column: path: message (hint: …)`, sorted by file, line, column, path.
//   - Never panics: third-party parser panics are turned into errors, aliases are bounded
//     (maxNodes), files are bounded (4 MiB), and FuzzLoad checks it.
//   - Bounded input (bounds.go): reconciler.yaml is at most 1 MiB; clusters/ at most 20,000 files,
//     64 MiB and 50,000 YAML documents, decided from the directory entries before anything is
//     parsed and enforced again on the bytes read (repofs.ReadFile, never more than the limit
//     plus one byte). A symlink or a special file is an error naming it, never opened, so no
//     content but the user's own YAML is ever quoted in an error.
//   - After Default, a field left nil is not managed: the API keeps (or chooses on create) its
//     own value. Rotation is always non-nil after Default.
package spec
