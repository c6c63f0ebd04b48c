package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/pflag"
)

// healthFlags are run's logging and readiness settings.
type healthFlags struct {
	logFormat, logLevel string
	readyFailures       int
}

func (h *healthFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&h.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&h.logLevel, "log-level", "info", "least level logged: debug, info, warn or error")
	fs.IntVar(&h.readyFailures, "ready-failures", 3, "consecutive failed passes after which /readyz answers 503 (until a pass succeeds)")
}

// logger is the logger the flags ask for, writing to w.
func (h *healthFlags) logger(w io.Writer) (*slog.Logger, error) {
	levels := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
	level, ok := levels[h.logLevel]
	if !ok {
		return nil, fmt.Errorf("--log-level %q: must be debug, info, warn or error", h.logLevel)
	}
	if h.readyFailures < 1 {
		return nil, errors.New("--ready-failures: must be at least 1")
	}
	opts := &slog.HandlerOptions{Level: level}
	switch h.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: must be text or json", h.logFormat)
}

// logShutdown says why run stops when ctx ended it (SIGTERM, interrupt: the signal's cause).
func logShutdown(ctx context.Context, log *slog.Logger) {
	if ctx.Err() != nil {
		log.Info("shutting down: " + context.Cause(ctx).Error())
	}
}
