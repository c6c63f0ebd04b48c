// Package schematest compares JSON Schemas (as plain JSON) with the Go types they describe, by
// reflection and in both directions: every JSON field of the Go type is a schema property, every
// schema property is a Go field, recursively through $ref (local and to a sibling schema file),
// items, additionalProperties and the non-null branch of oneOf/anyOf. Test-only: it reports to a
// testing.TB.
package schematest
