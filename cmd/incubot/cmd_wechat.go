package main

import (
	"context"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/wechat"
	"github.com/incubot/incubot/internal/postgres"
)

// runWeChat logs in to WeChat and answers there until ctx ends.
func (a *app) runWeChat(ctx context.Context, db *postgres.DB, router *bot.Router, metrics *bot.Metrics) error {
	w := &wechat.WeChat{Router: router, Store: db, Sessions: db, Log: a.log.With("channel", wechat.Channel), Opts: wechat.Options{
		QRFile: a.cfg.WeChatQRFile, Notify: a.cfg.WeChatNotify, Workers: 4, QROut: a.stderr,
		PerChat: a.cfg.ChatInterval, Global: a.cfg.GlobalInterval,
	}}
	metrics.LoginUp = w.LoggedIn
	return w.Run(ctx)
}
