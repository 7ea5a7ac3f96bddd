package main

import (
	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/wechat"
	"github.com/incubot/incubot/internal/postgres"
)

// newWeChat builds the WeChat channel on the router: its replies go through
// the outbox, and bindings rest on the remark names it sets.
func (a *app) newWeChat(db *postgres.DB, router *bot.Router, metrics *bot.Metrics) *wechat.WeChat {
	w := &wechat.WeChat{Router: router, Store: db, Sessions: db, Files: db, Log: a.log.With("channel", wechat.Channel), Opts: wechat.Options{
		QRFile: a.cfg.WeChatQRFile, Notify: a.cfg.WeChatNotify, Workers: 4, QROut: a.stderr,
		PerChat: a.cfg.ChatInterval, Global: a.cfg.GlobalInterval, MaxFileSize: a.cfg.MaxUploadSize,
	}}
	metrics.LoginUp = w.LoggedIn
	router.Opts.Outboxes = append(router.Opts.Outboxes, wechat.Channel)
	if router.Anchors == nil {
		router.Anchors = map[string]bot.Anchorer{}
	}
	router.Anchors[wechat.Channel] = w
	return w
}
