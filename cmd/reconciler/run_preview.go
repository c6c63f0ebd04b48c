package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/scaleway-gitops/reconciler/pkg/backoff"
	"github.com/scaleway-gitops/reconciler/pkg/forge"
	"github.com/scaleway-gitops/reconciler/pkg/webhook"
)

// startPreviewer checks the forge settings and starts the worker that previews pull requests
// for `run`, one at a time, until ctx ends. The returned func never blocks: up to 64 events
// wait; beyond that an event is dropped with a warning (the next push to the PR previews again).
func startPreviewer(ctx context.Context, env *cmdEnv, f *runFlags, log *slog.Logger) (func(webhook.PullRequest), error) {
	base := previewFlags{forgeKind: f.previewForge, forgeURL: f.forgeURL, fRepo: f.forgeRepo, pr: 1}
	if _, err := newForge(env, f.repo, &base); err != nil { // fail at start, not on the first event
		return nil, fmt.Errorf("--preview-forge: %w", err)
	}
	type job = webhook.PullRequest
	queue := make(chan job, 64)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case pr := <-queue:
				previewPull(ctx, env, f, base, pr, log)
			}
		}
	}()
	return func(pr webhook.PullRequest) {
		select {
		case queue <- pr:
		default:
			log.Warn("preview queue full: pull request skipped", "number", pr.Number)
		}
	}, nil
}

// previewPull builds and posts one pull request's preview: base is the target branch, head the
// forge's refs/pull/N/head (present for branches and forks alike on GitHub and Gitea).
func previewPull(ctx context.Context, env *cmdEnv, f *runFlags, base previewFlags, pr webhook.PullRequest, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	pf := previewFlags{forgeKind: base.forgeKind, forgeURL: base.forgeURL, fRepo: base.fRepo, pr: pr.Number,
		statusContext: "reconciler/preview"}
	fg, err := newForge(env, f.repo, &pf)
	if err != nil {
		log.Error("preview", "number", pr.Number, "err", err)
		return
	}
	pl := pipelineFlags{repo: f.repo, retry: backoff.Default, sshKey: f.sshKey, knownHosts: f.knownHosts, hostKey: f.hostKey, owner: f.owner}
	pv, err := buildPreview(ctx, env, &pl, pr.BaseRef, fmt.Sprintf("refs/pull/%d/head", pr.Number))
	if err != nil {
		log.Error("preview", "number", pr.Number, "err", err)
		if pv != nil && pv.Head.Revision != "" {
			if serr := fg.SetStatus(ctx, pv.Head.Revision, forge.Error, pf.statusContext, "preview failed: "+err.Error(), ""); serr != nil {
				log.Error("preview status", "number", pr.Number, "err", serr)
			}
		}
		return
	}
	if err := postPreview(ctx, env, fg, pv, &pf); err != nil {
		log.Error("preview", "number", pr.Number, "err", err)
		return
	}
	log.Info("preview posted", "number", pr.Number, "head", pv.Head.Revision, "valid", pv.Valid())
}
