// Package plan computes, from the desired specs and an observed snapshot at a given time, the
// ordered and explained set of actions (DESIGN §4), and renders it as text, JSON and Markdown from
// that one value. It is pure: no I/O, no clock, no logging.
package plan
