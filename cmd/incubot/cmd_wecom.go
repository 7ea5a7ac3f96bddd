package main

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/kf"
	"github.com/incubot/incubot/bot/wecom"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/internal/postgres"
)

// newWeCom builds the WeCom smart-bot channel on the router. Its answers
// go inline, in a stream bound to each callback; notices go through its own
// push outbox. Bindings rest on the WeCom user id, which is stable.
func (a *app) newWeCom(db *postgres.DB, router *bot.Router, metrics *bot.Metrics) *wecom.Bot {
	b := &wecom.Bot{Router: router, Store: db, Log: a.log.With("channel", wecom.Channel), Metrics: metrics, Opts: wecom.Options{
		URL: a.cfg.WeComURL, BotID: a.cfg.WeComBotID, Secret: a.cfg.WeComSecret, BotName: a.cfg.BotName, MaxMedia: a.cfg.WeComMaxMedia,
		// An image or file is stored before its message is handled, as the
		// web-WeChat adapter does: an officer's document is offered for
		// the corpus, a manager's photo attached to their report.
		Media: func(ctx context.Context, m bot.Message, data []byte) {
			f := &model.ReceivedFile{Channel: wecom.Channel, MessageID: m.ID, Name: m.Attachment.Name, MIME: http.DetectContentType(data), Data: data}
			if _, err := db.SaveReceivedFile(ctx, f); err != nil {
				a.log.Warn("wecom: storing a received file", "err", err, "msg_id", m.ID)
			}
		},
		// 👍/👎 on an answer, recorded on the question of the asker's
		// own message (listed for officers beside unanswered questions).
		Feedback: func(ctx context.Context, msgID, userID string, useful *bool, comment string) error {
			_, err := db.FeedbackOnMessage(ctx, wecom.Channel, msgID, userID, useful, comment)
			return err
		},
	}}
	if metrics.ChannelUp == nil {
		metrics.ChannelUp = map[string]func() float64{}
	}
	metrics.ChannelUp[wecom.Channel] = b.Up
	return b
}

// wecomCheck reports whether the smart bot's gateway answers a TLS
// handshake. It does not subscribe: a second connection would displace the
// one serve holds.
func wecomCheck(ctx context.Context, a *app) checkLine {
	if a.cfg.WeComBotID == "" {
		return checkLine{ok: true, what: "WeCom smart bot: not configured", hint: "set INCUBOT_WECOM_BOT_ID and INCUBOT_WECOM_SECRET to answer in WeCom"}
	}
	u, _ := url.Parse(a.cfg.WeComURL)
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"wss": "443", "ws": "80"}[u.Scheme])
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err == nil && u.Scheme == "wss" {
		tc := tls.Client(conn, &tls.Config{ServerName: u.Hostname()})
		err = tc.HandshakeContext(ctx)
		conn = tc
	}
	what := "WeCom smart bot gateway " + a.cfg.WeComURL
	if err != nil {
		return checkLine{ok: false, what: what, hint: "unreachable: " + firstLine(err.Error()) + "; the server must reach it outbound (HTTPS port 443)"}
	}
	conn.Close()
	return checkLine{ok: true, what: what + " reachable", hint: "bot " + a.cfg.WeComBotID + "; the subscription itself is checked by serve (a second connection would displace the running one)"}
}

// kfCheck fetches a 微信客服 access token with the configured CorpID and
// Secret.
func kfCheck(ctx context.Context, a *app) checkLine {
	if a.cfg.KFCorpID == "" {
		return checkLine{ok: true, what: "微信客服: not configured", hint: "set INCUBOT_KF_CORP_ID, INCUBOT_KF_SECRET, INCUBOT_KF_TOKEN and INCUBOT_KF_AES_KEY to answer there"}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	k := &kf.KF{Opts: kf.Options{CorpID: a.cfg.KFCorpID, Secret: a.cfg.KFSecret, Token: a.cfg.KFToken, EncodingAESKey: a.cfg.KFAESKey}}
	if err := k.Check(ctx); err != nil {
		return checkLine{ok: false, what: "微信客服 access token", hint: firstLine(err.Error())}
	}
	return checkLine{ok: true, what: "微信客服 access token", hint: "callback URL: " + kfPath + " on the HTTP API"}
}
