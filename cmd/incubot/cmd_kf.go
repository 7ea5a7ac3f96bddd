package main

import (
	"context"
	"net/http"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/kf"
	"github.com/incubot/incubot/internal/postgres"
)

// kfPath is where WeCom calls the 微信客服 callback on the HTTP API.
const kfPath = "/wecom/kf"

// newKF builds the 微信客服 channel on the router: replies go through its
// outbox within WeCom's window; “继续” fetches the rest of a long answer.
func (a *app) newKF(db *postgres.DB, router *bot.Router, metrics *bot.Metrics) *kf.KF {
	k := &kf.KF{Router: router, Store: db, Log: a.log.With("channel", kf.Channel), Metrics: metrics, Opts: kf.Options{
		CorpID: a.cfg.KFCorpID, Secret: a.cfg.KFSecret, Token: a.cfg.KFToken, EncodingAESKey: a.cfg.KFAESKey,
	}}
	router.Opts.Outboxes = append(router.Opts.Outboxes, kf.Channel)
	router.AddInterceptor(k.Interceptor())
	return k
}

// withKF serves the 微信客服 callback beside the API.
func withKF(k *kf.KF, h http.Handler) http.Handler {
	if k == nil {
		return h
	}
	mux := http.NewServeMux()
	mux.Handle(kfPath, k.Handler())
	mux.Handle("/", h)
	return mux
}

// channelPeople keeps the people of 微信客服, who are outside the bureau,
// enterprise users whatever they send.
type channelPeople struct{ bot.People }

func (p channelPeople) Lookup(ctx context.Context, m *bot.Message) (bot.Person, error) {
	if m.Channel == kf.Channel {
		return bot.Person{Role: bot.RoleEnterprise, Name: m.SenderName}, nil
	}
	return p.People.Lookup(ctx, m)
}
