// Package preview is the pull-request plan preview: what the head revision
// would do against live state (its plan), and what the pull request changes
// compared with planning the base revision (actions added and removed, spec
// files changed). It is pure: both plans and the changed paths are inputs;
// fetching, observing and posting happen in the command.
//
// Invariants:
//   - Text and Markdown are rendered from the Preview structure, never computed
//     separately; the head plan's own renderers draw the plan part.
//   - Markdown fits in a forge comment (plan.MarkdownLimit characters) with code
//     fences balanced, and starts with the hidden marker that identifies the
//     comment to edit next time.
//   - Invalid head specs are the preview's content, not a failure to produce it:
//     every error is listed with file, line and field path.
package preview
