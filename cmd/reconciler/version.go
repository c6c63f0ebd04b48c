package main

import (
	"cmp"
	"runtime"
	"runtime/debug"
	"strings"
)

// buildVersion is what the binary knows of its build: the module version, the VCS commit and
// the Go toolchain. `reconciler version -o json` prints it (schemas/version.schema.json).
type buildVersion struct {
	FormatVersion string `json:"format_version"`
	// Version is the module version: a tag (v1.2.0), a pseudo-version, or "devel" for a build
	// outside version control.
	Version    string `json:"version"`
	Commit     string `json:"commit"`
	CommitTime string `json:"commit_time,omitempty"`
	// Modified says the working tree had uncommitted changes at build time.
	Modified  bool   `json:"modified"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// readBuildVersion reads the build information embedded by the go command.
func readBuildVersion() buildVersion {
	v := buildVersion{FormatVersion: reportFormatVersion, Version: "devel", GoVersion: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if m := bi.Main.Version; m != "" && m != "(devel)" {
		v.Version = m
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.CommitTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// short is the version as one token, for user agents: the module version, plus the commit when
// the version does not already name it, plus "dirty" for a modified tree
// (v1.2.0, v0.0.0-20261203084655-ac3d6ba1f2e4, devel+ac3d6ba1f2e4.dirty).
func (v buildVersion) short() string {
	s := v.Version
	if c := v.Commit; c != "" && !strings.Contains(s, c[:min(12, len(c))]) {
		s += "+" + c[:min(12, len(c))]
	}
	if v.Modified {
		s += ".dirty"
	}
	return s
}

// userAgentVersion is what follows "reconciler/" in the user agent of API requests (the SDK's
// part before it names the Go version and the platform).
func (v buildVersion) userAgentVersion() string { return v.short() }

// text is the one line `reconciler version` prints.
func (v buildVersion) text() string {
	return "reconciler " + v.Version + " (commit " + cmp.Or(v.Commit, "unknown") + modifiedNote(v.Modified) + ", " +
		v.GoVersion + ", " + v.Platform + ")\n"
}

func modifiedNote(m bool) string {
	if m {
		return ", modified"
	}
	return ""
}
