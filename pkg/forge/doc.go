// Package forge posts pull-request plan previews to a code forge: one comment
// per pull request, found again by a hidden HTML marker and edited in place,
// and a commit status on the head commit. One implementation per forge (Gitea,
// GitHub) over plain net/http: their APIs look alike but differ in details a
// shared client would get wrong (auth scheme, paging, Gitea's `status` field).
//
// Invariants:
//   - The token travels only in the Authorization header; it never appears in
//     an error, a log line or a returned value (API errors carry the method,
//     path, HTTP status and the server's message, with the token redacted).
//   - UpsertComment never piles comments up: it edits the first comment by the
//     authenticated user that carries the marker, and creates one only when
//     there is none. Comments by others are never edited, even with the marker.
//   - A comment body is at most the forge's limit (GitHub: 65,536 characters);
//     a longer body is cut at a line with its code fences and <details> closed
//     and a notice appended.
package forge
