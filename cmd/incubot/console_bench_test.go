package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/web"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/zh"
)

// BenchmarkConsolePages measures the server time of each console page with
// 1,000 documents (5,000 clauses) and 100,000 logged messages, a third of
// them questions and a tenth of those declined, and reports the p95.
func BenchmarkConsolePages(b *testing.B) {
	e := newConsoleEnv(b)
	ctx := context.Background()
	topics := []string{"购买科技成果补助", "高新技术企业认定奖励", "研发费用加计扣除", "孵化器场地租金减免", "科技型中小企业评价", "专利申请资助", "众创空间备案"}
	by := corpus.Editor{Name: "bench", Role: "officer", Channel: "cli"}
	for i := 1; i <= 1000; i++ {
		topic := topics[i%len(topics)]
		expires := time.Now().AddDate(0, 0, i%400-30)
		doc := &corpus.Document{Title: fmt.Sprintf("XX区%s暂行办法（第%d号）", topic, i), DocNumber: fmt.Sprintf("X科规〔2025〕%d号", i),
			Hash: fmt.Sprintf("bench-%d", i), ExpiresOn: &expires}
		var chunks []corpus.IndexedChunk
		for o := 0; o < 5; o++ {
			c := corpus.Chunk{Ordinal: o, Article: fmt.Sprintf("第%d条", o+1),
				Body: fmt.Sprintf("第%d条 对符合条件的企业给予%s，补助比例为%d%%，单个项目最高%d万元。", o+1, topic, 5+o, 10*(i%9+1))}
			chunks = append(chunks, corpus.IndexedChunk{Chunk: c, Tokens: zh.Tokenize(corpus.LexicalText(&c))})
		}
		if err := e.db.SaveDocument(ctx, doc, corpus.DocumentPlaces(doc.Title, doc.DocNumber), chunks, nil, 0, by); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.db.Exec(ctx, `INSERT INTO messages (channel, msg_id, chat_id, chat_kind, chat_title, sender_id, sender_name, body, sent_at)
		SELECT 'wechat', 'bench-' || i, 'chat-' || (i % 500), CASE WHEN i % 4 = 0 THEN 'group' ELSE 'private' END,
		       CASE WHEN i % 4 = 0 THEN '区科技企业服务群' ELSE '' END, 'u-' || (i % 500), '企业' || (i % 500),
		       (ARRAY['请问购买科技成果补助的比例是多少','高企认定奖励什么时候申请','研发费用加计扣除怎么算','孵化器场地租金有没有减免','第' || i || '号文件还有效吗'])[i % 5 + 1],
		       now() - i * interval '1 minute'
		FROM generate_series(1, 100000) i`); err != nil {
		b.Fatal(err)
	}
	if err := e.db.Exec(ctx, `INSERT INTO questions (message_id, channel, chat, asker, question, answer, answered, created_at)
		SELECT id, channel, chat_id, sender_name, body, CASE WHEN id % 10 = 0 THEN '抱歉，现有政策文件中没有找到能回答这个问题的条款。' ELSE '——《XX区购买科技成果补助暂行办法》第六条' END,
		       id % 10 <> 0, sent_at FROM messages WHERE id % 3 = 0`); err != nil {
		b.Fatal(err)
	}
	docs, err := e.db.Documents(ctx, false)
	if err != nil || len(docs) != 1000 {
		b.Fatal(len(docs), err)
	}
	asset := mustAsset(b, e.db, "CKC-001")
	br := e.browser()
	if code, _ := br.signIn(e.link(e.officer)); code != 200 {
		b.Fatal("sign in", code)
	}
	u, _ := url.Parse(e.srv.URL + web.Prefix)
	cookie := br.client.Jar.Cookies(u)[0]
	pages := []string{"docs", "docs?status=all", "docs?status=soon", fmt.Sprintf("docs/%d", docs[500].ID), "hittest?q=" + url.QueryEscape("购买科技成果补助的比例是多少"),
		"faq", "questions", "log", "log?q=" + url.QueryEscape("孵化器"), "log?q=" + url.QueryEscape("第99999号"), "assets", fmt.Sprintf("assets/%d", asset.ID), "reports", "people", "audit"}
	for _, p := range pages {
		name, _, _ := strings.Cut(p, "?")
		if strings.Contains(p, "status=") || strings.Contains(p, "q=") {
			name += "_" + strings.NewReplacer("?", "", "status=", "", "q=", "search").Replace(p[len(name):])
			name = strings.Split(name, "%")[0]
			if strings.Contains(p, "99999") {
				name += "_rare"
			}
		}
		b.Run(name, func(b *testing.B) {
			var took []time.Duration
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("GET", web.Prefix+p, nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				start := time.Now()
				e.handler.ServeHTTP(rec, req)
				took = append(took, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", p, rec.Code)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		})
	}
}
