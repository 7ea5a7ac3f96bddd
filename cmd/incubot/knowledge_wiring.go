package main

import (
	"context"
	"time"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/models"
)

// embedder is the configured embedder, or the local one offline.
func (a *app) embedder() models.Embedder {
	if a.cfg.EmbedBaseURL == "" {
		return models.NewLocalEmbedder()
	}
	return models.NewOpenAIEmbedder(a.cfg.EmbedBaseURL, a.cfg.EmbedAPIKey, a.cfg.EmbedModel, a.cfg.EmbedDimensions, a.cfg.EmbedBatch, a.cfg.ModelTimeout)
}

func (a *app) kbOn(db *postgres.DB) *knowledge.KB {
	return &knowledge.KB{Store: db, Local: models.NewLocalEmbedder(), Embedder: a.embedder(), MaxFileSize: a.cfg.MaxUploadSize, Log: a.log}
}

func (a *app) retrieverOn(db *postgres.DB) *knowledge.Retriever {
	return &knowledge.Retriever{Store: db, Local: models.NewLocalEmbedder(), Embedder: a.embedder(),
		Today: a.cfg.TodayDate, Opts: knowledge.DefaultRetrieveOptions, Home: a.cfg.HomePlaces}
}

// addFiles ingests paths with a progress bar and returns the summary.
func (a *app) addFiles(ctx context.Context, kb *knowledge.KB, paths []string, opts knowledge.AddOptions, quiet bool) (knowledge.Summary, []knowledge.AddResult, error) {
	start := time.Now()
	files, failed := knowledge.Files(paths)
	var sum knowledge.Summary
	results := append([]knowledge.AddResult(nil), failed...)
	for _, r := range failed {
		sum.Count(r)
	}
	bar := newProgress(a.stderr, "ingest", len(files))
	for i, f := range files {
		if ctx.Err() != nil {
			return sum, results, ctx.Err()
		}
		r := kb.AddFile(ctx, f, opts)
		sum.Count(r)
		results = append(results, r)
		if !quiet {
			bar.set(i+1, f)
		}
	}
	if !quiet {
		bar.done()
	}
	if err := kb.FinishIngest(ctx); err != nil {
		return sum, results, err
	}
	sum.Took = time.Since(start)
	return sum, results, nil
}

// completer is the configured chat model, or nil offline.
func (a *app) completer() knowledge.Completer {
	if a.cfg.ChatBaseURL == "" {
		return nil
	}
	return models.NewOpenAICompleter(a.cfg.ChatBaseURL, a.cfg.ChatAPIKey, a.cfg.ChatModel, a.cfg.ModelTimeout)
}

func (a *app) answererOn(db *postgres.DB) *knowledge.Answerer {
	return &knowledge.Answerer{Retriever: a.retrieverOn(db), FAQ: db, Model: a.completer(), Fallback: a.cfg.Fallback(), Contact: a.cfg.ContactOffice + "（电话 " + a.cfg.ContactPhone + "）", K: 5, Log: a.log}
}
