// Package window evaluates recurring time windows: a cron schedule (robfig/cron, standard 5 fields)
// that opens the window, a duration it stays open, and an IANA time zone the schedule is read in.
// It is pure: every function takes the time it reasons about. Daylight-saving changes follow the
// zone's rules (robfig/cron computes firings in the window's location).
package window
