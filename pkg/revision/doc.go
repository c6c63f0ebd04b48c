// Package revision formats git revisions for people: status files, reports, previews, the run
// loop's messages and commit subjects all write a revision the same way. It imports nothing of
// the product, so any package may use it (pkg/source, which knows revisions best, imports go-git).
package revision
