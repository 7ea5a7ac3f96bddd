package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/bot/httpapi"
	"github.com/incubot/incubot/bot/kf"
	"github.com/incubot/incubot/bot/kf/kffake"
	"github.com/incubot/incubot/bot/wecom"
	"github.com/incubot/incubot/bot/wecom/wecomfake"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/models"
)

// The same questions get the same answers through every channel: the
// console, the HTTP API, web WeChat (fake), the WeCom smart bot (fake long
// connection) and 微信客服 (fake API), all on one router and database.
// This file lives here because the web-WeChat fake is this package's.
func TestSameAnswersOnEveryChannel(t *testing.T) {
	questions := []string{"购买科技成果补助的比例是多少？", "购买科技成果补助需要提交什么材料？", "专精特新小巨人怎么申报？"}
	db := testdb.New(t)
	kb := &knowledge.KB{Store: db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	if res := kb.Add(context.Background(), "p.txt", []byte(policy), knowledge.AddOptions{}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if err := kb.FinishIngest(context.Background()); err != nil {
		t.Fatal(err)
	}
	ans := &knowledge.Answerer{Retriever: &knowledge.Retriever{Store: db, Local: models.NewLocalEmbedder(), Today: time.Now, Opts: knowledge.DefaultRetrieveOptions}, Fallback: "未找到。"}
	router := bot.NewRouter(db, ans, db, db, nil, nil, bot.Options{BotName: "小助手", MaxMessageLen: 500, MaxAge: time.Hour, ContextTTL: time.Minute, FormTTL: time.Minute,
		Outboxes: []string{Channel, kf.Channel}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := map[string][]string{}

	// Console.
	var out bytes.Buffer
	c := &console.Console{Router: router, In: strings.NewReader(strings.Join(questions, "\n") + "\n"), Out: &out, User: "张三", JSON: true}
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r struct{ Text string }
		json.Unmarshal([]byte(line), &r)
		got["console"] = append(got["console"], r.Text)
	}

	// HTTP API.
	api := httptest.NewServer((&httpapi.Server{Router: router, Token: "0123456789abcdef", Health: db.Ping, Log: slog.New(slog.DiscardHandler)}).Handler())
	defer api.Close()
	for i, q := range questions {
		body, _ := json.Marshal(map[string]any{"id": "h" + string(rune('0'+i)), "chat_id": "c1", "sender_id": "u1", "text": q})
		req, _ := http.NewRequest("POST", api.URL+"/v1/messages", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer 0123456789abcdef")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ Replies []struct{ Text string } }
		json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if len(r.Replies) != 1 {
			t.Fatalf("HTTP replies: %+v", r)
		}
		got["http"] = append(got["http"], r.Replies[0].Text)
	}

	// Web WeChat (openwechat against its fake).
	web := newFakeWeb(t)
	target, _ := url.Parse(web.srv.URL)
	w := &WeChat{Router: router, Store: db, Sessions: db, Log: slog.New(slog.DiscardHandler), Opts: Options{QRFile: t.TempDir() + "/qr.png", Workers: 1, Transport: redirect{target}}}
	wdone := make(chan error, 1)
	go func() { wdone <- w.Run(ctx) }()
	for i, q := range questions {
		web.deliver("w"+string(rune('0'+i)), "@friend1", q)
		wecomfake.WaitFor(t, "the web WeChat reply", func() bool { return len(web.sentTexts()) == i+1 })
		got["wechat"] = append(got["wechat"], strings.TrimPrefix(web.sentTexts()[i], "@friend1: "))
	}

	// WeCom smart bot.
	wf := wecomfake.New(t)
	wb := &wecom.Bot{Router: router, Store: db, Opts: wecom.Options{URL: wf.URL(), BotID: wecomfake.BotID, Secret: wecomfake.Secret}}
	bdone := make(chan error, 1)
	go func() { bdone <- wb.Run(ctx) }()
	wecomfake.WaitFor(t, "the WeCom subscription", func() bool { return wb.Up() == 1 })
	for i, q := range questions {
		got["wecom"] = append(got["wecom"], wf.Answer(wf.Text("b"+string(rune('0'+i)), "zhangsan", "", q)))
	}

	// 微信客服.
	kfAPI := kffake.New(t)
	k := &kf.KF{Router: router, Store: db, Opts: kf.Options{BaseURL: kfAPI.URL(), CorpID: kffake.CorpID, Secret: kffake.Secret, Token: "t", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}}
	kout := &bot.Outbox{Store: db, Channel: kf.Channel, Owner: "test", Sender: k}
	for i, q := range questions {
		kfAPI.Add("k"+string(rune('0'+i)), "wmA", q, 3)
		if _, err := k.Sync(ctx, kffake.OpenKfID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := kout.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		got["kf"] = append(got["kf"], strings.TrimPrefix(kfAPI.Sent()[i], "wmA: "))
	}

	cancel()
	<-wdone
	<-bdone
	for _, ch := range []string{"http", "wechat", "wecom", "kf"} {
		for i := range questions {
			if got[ch][i] != got["console"][i] {
				t.Errorf("%s answered %q differently:\n%s\nconsole:\n%s", ch, questions[i], got[ch][i], got["console"][i])
			}
		}
	}
	if !strings.Contains(got["console"][0], "10%") || !strings.Contains(got["console"][1], "营业执照") || strings.Contains(got["console"][2], "第六条") {
		t.Fatalf("console answers: %q", got["console"])
	}
}
