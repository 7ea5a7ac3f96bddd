package main

import (
	"context"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/knowledge"
)

type answerEval struct {
	Report struct {
		AnsweredWithGoldCitation float64 `json:"answered_with_gold_citation"`
		DeclinedUnanswerable     float64 `json:"declined_unanswerable"`
		NumberFaithfulness       float64 `json:"number_faithfulness"`
		LatencyP50               float64 `json:"answer_latency_p50_ms"`
		LatencyP95               float64 `json:"answer_latency_p95_ms"`
	}
	Lines []string
}

func (a *app) evaluateAnswers(ctx context.Context, db *postgres.DB, qs []knowledge.EvalQuestion, k int) (answerEval, error) {
	return answerEval{}, nil
}

func kbFAQ(ctx context.Context, a *app, args []string) error { return usagef("faq: not yet") }

func evalSynthetic(ctx context.Context, a *app, n int, asJSON bool) error {
	return usagef("synthetic: not yet")
}
