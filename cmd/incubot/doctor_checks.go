package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/incubot/incubot/internal/postgres"
)

// databaseChecks reports on pgvector and the schema. The embedded database
// has pgvector and migrates itself at the first command, so a fresh one is
// new, not broken; a real server needs pgvector installed, the extension
// created by a superuser, and incubot migrate.
func databaseChecks(ctx context.Context, db *postgres.DB, embedded bool) []checkLine {
	var out []checkLine
	v, err := db.Vector(ctx)
	switch {
	case err != nil:
		out = append(out, checkLine{ok: false, what: "pgvector", hint: firstLine(err.Error())})
	case v.Created != "":
		out = append(out, checkLine{ok: true, what: "pgvector " + v.Created})
	case v.Available != "" && embedded:
		out = append(out, checkLine{ok: true, what: "pgvector " + v.Available + " available", hint: "the embedded database creates it when it first migrates"})
	case v.Available != "":
		out = append(out, checkLine{ok: false, what: "pgvector " + v.Available + " installed, extension not created", hint: postgres.VectorAdvice(v)})
	default:
		out = append(out, checkLine{ok: false, what: "pgvector not installed on the server", hint: postgres.VectorAdvice(v)})
	}
	have, err := db.SchemaVersion(ctx)
	want := postgres.LatestVersion()
	switch {
	case err != nil:
		out = append(out, checkLine{ok: false, what: "schema", hint: firstLine(err.Error())})
	case have == want:
		out = append(out, checkLine{ok: true, what: fmt.Sprintf("schema current (version %d)", have)})
	case have < want && embedded:
		out = append(out, checkLine{ok: true, what: fmt.Sprintf("schema at version %d of %d", have, want), hint: "a new embedded database: it migrates itself at the next command"})
	default:
		out = append(out, checkLine{ok: false, what: "schema current", hint: firstLine((&postgres.SchemaError{Have: have, Want: want}).Error()) + "; run: incubot migrate"})
	}
	return out
}

// modelChecks reports on the configured model endpoints, or offline mode.
func modelChecks(ctx context.Context, a *app) []checkLine {
	if a.cfg.ChatBaseURL == "" && a.cfg.EmbedBaseURL == "" {
		return []checkLine{{ok: true, what: "model: offline mode", hint: "local embedder, extractive answers; set INCUBOT_CHAT_BASE_URL / INCUBOT_EMBED_BASE_URL to use a model"}}
	}
	var out []checkLine
	if a.cfg.EmbedBaseURL != "" {
		out = append(out, pingModel(ctx, a, "embeddings", a.cfg.EmbedBaseURL, a.cfg.EmbedModel))
	} else {
		out = append(out, checkLine{ok: true, what: "embeddings: local lexical embedder"})
	}
	if a.cfg.ChatBaseURL != "" {
		out = append(out, pingModel(ctx, a, "chat", a.cfg.ChatBaseURL, a.cfg.ChatModel))
	} else {
		out = append(out, checkLine{ok: true, what: "answers: extractive (no chat model)"})
	}
	return out
}

// wechatCheck says whether a WeChat login session is stored.
func wechatCheck(ctx context.Context, a *app, db *postgres.DB) (bool, string, string) {
	_, updated, err := db.ChannelSession(ctx, "wechat")
	if err != nil {
		return true, "WeChat session: none stored", "incubot serve --wechat shows a login QR code; the chat and HTTP channels need none"
	}
	return true, "WeChat session: stored " + updated.Format(time.DateTime), "hot login will be tried first"
}

// pingModel sends one small request to a configured model endpoint.
func pingModel(ctx context.Context, a *app, kind, base, model string) checkLine {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.ModelTimeout)
	defer cancel()
	var err error
	if kind == "embeddings" {
		_, err = a.embedder().Embed(ctx, []string{"连通性检查"})
	} else {
		_, err = a.completer().Complete(ctx, "只回答：好", "连通性检查")
	}
	what := kind + " model " + model + " at " + base
	if err != nil {
		return checkLine{ok: false, what: what, hint: "unreachable or refused: " + firstLine(err.Error()) + "; check INCUBOT_" + strings.ToUpper(map[string]string{"embeddings": "embed", "chat": "chat"}[kind]) + "_* settings"}
	}
	return checkLine{ok: true, what: what}
}
