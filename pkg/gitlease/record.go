package gitlease

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Ref is the lease ref of a spec branch.
func Ref(branch string) string { return "refs/reconciler/lease/" + branch }

// Record is what the lease commit's message says.
type Record struct {
	Holder   string
	Acquired time.Time
	Expires  time.Time
}

const title = "reconciler lease"

// Message renders r as a commit message (the title, a blank line, then key: value lines).
func (r Record) Message() string {
	return fmt.Sprintf("%s\n\nholder: %s\nacquired: %s\nexpires: %s\n", title, r.Holder,
		r.Acquired.UTC().Format(time.RFC3339Nano), r.Expires.UTC().Format(time.RFC3339Nano))
}

// Live reports whether the lease is held at now.
func (r Record) Live(now time.Time) bool { return now.Before(r.Expires) }

// String names the holder and the expiry, for messages.
func (r Record) String() string {
	return fmt.Sprintf("held by %q until %s", r.Holder, r.Expires.UTC().Format(time.RFC3339))
}

// Parse reads a record from a lease commit's message.
func Parse(msg string) (Record, error) {
	var r Record
	head, body, _ := strings.Cut(msg, "\n")
	if strings.TrimSpace(head) != title {
		return r, errors.New("lease: not a lease record")
	}
	var err error
	for line := range strings.Lines(body) {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ": ")
		if !ok {
			continue
		}
		switch k {
		case "holder":
			r.Holder = v
		case "acquired":
			r.Acquired, err = time.Parse(time.RFC3339Nano, v)
		case "expires":
			r.Expires, err = time.Parse(time.RFC3339Nano, v)
		}
		if err != nil {
			return Record{}, fmt.Errorf("lease: %s: %w", k, err)
		}
	}
	if r.Holder == "" || r.Expires.IsZero() {
		return Record{}, errors.New("lease: record without holder or expiry")
	}
	return r, nil
}

// NewHolder is a holder id unique to this process: hostname, pid and 4 random bytes.
func NewHolder() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// ShardRef is the lease ref of shard k of a spec branch (run --shards N --shard-id k): one
// writer per shard, beside the branch's own lease.
func ShardRef(branch string, k int) string {
	return "refs/reconciler/shard-lease/" + branch + "/" + strconv.Itoa(k)
}
