// Package spec holds the user-facing cluster spec (DESIGN §2): its Go types, loading from a
// repository tree with strict YAML decoding, defaulting in one place, and validation that reports
// every error at once with file, line and field path. It is pure: it reads files only through the
// fs.FS it is given, reads no clock and logs nothing.
package spec
