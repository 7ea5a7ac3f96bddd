package ops_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/internal/procmem"
	"github.com/incubot/incubot/internal/sheet"
	"github.com/incubot/incubot/internal/testdb"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/models"
)

const benchItems, benchLocations = 10_000, 100

// bigWorld is a world whose incubator has a 10,000-item register in 100
// locations, with a stock-take open.
func bigWorld(b *testing.B) (*world, int64) {
	ctx := context.Background()
	db := testdb.New(b)
	w := &world{db: db, now: time.Now()}
	ans := &knowledge.Answerer{Retriever: &knowledge.Retriever{Store: db, Local: models.NewLocalEmbedder(), Today: time.Now, Opts: knowledge.DefaultRetrieveOptions}, Fallback: "未找到。"}
	w.router = bot.NewRouter(db, ans, db, db, db, nil, bot.Options{BotName: "小助手", MaxMessageLen: 500, FormTTL: 30 * time.Minute, Now: func() time.Time { return w.now }})
	w.ops = &ops.Ops{Store: db, Docs: db, Now: func() time.Time { return w.now }, Stocktakes: db}
	w.ops.Register(w.router)
	inc, err := db.EnsureIncubator(ctx, "大孵化器", admin)
	if err != nil {
		b.Fatal(err)
	}
	w.inc = inc
	assets := make([]incubator.Asset, benchItems)
	for i := range assets {
		assets[i] = incubator.Asset{Code: fmt.Sprintf("DF-%05d", i+1), Name: "台式电脑", Spec: "联想 M90", Quantity: 1, UnitPrice: 680000,
			Location: fmt.Sprintf("%02d号楼%02d室", i%benchLocations/10, i%10), Status: incubator.StatusRegistered}
	}
	if _, err := db.ImportAssets(ctx, inc.ID, assets, admin); err != nil {
		b.Fatal(err)
	}
	code := "CODE-BIG"
	if _, err := db.Invite(ctx, "大经理", bot.RoleManager, &inc.ID, model.HashCode(code), w.now.Add(time.Hour), nil, admin); err != nil {
		b.Fatal(err)
	}
	w.handle(b, "大经理", "绑定 "+code)
	st, err := db.OpenStocktake(ctx, inc.ID, w.now, admin)
	if err != nil {
		b.Fatal(err)
	}
	return w, st.ID
}

var benchSeq int

func (w *world) handle(b *testing.B, user, text string) string {
	benchSeq++
	replies, err := w.router.Handle(context.Background(), model.Message{Channel: "console", ID: fmt.Sprintf("bench-%d", benchSeq), ChatKind: bot.Private,
		ChatID: "private:" + user, SenderID: user, SenderName: user, Text: text, Time: w.now})
	if err != nil || len(replies) == 0 {
		b.Fatalf("%s: %v %v", text, replies, err)
	}
	return replies[0].Text
}

// A manager marks a 10,000-item register through the chat: each message
// "在 全部" marks the 10 items of the page shown and gets the next page.
// Run with -benchtime 300x (at most 1,000 pages).
func BenchmarkStocktakeMarkChat10k(b *testing.B) {
	w, _ := bigWorld(b)
	loc := 1
	w.handle(b, "大经理", fmt.Sprintf("盘点 %d", loc))
	items := 0
	for b.Loop() {
		reply := w.handle(b, "大经理", "在 全部")
		if !strings.Contains(reply, "已记“在” 10 项") {
			b.Fatalf("reply: %s", reply)
		}
		items += 10
		if strings.Contains(reply, "已全部盘完") {
			loc++
			w.handle(b, "大经理", fmt.Sprintf("盘点 %d", loc))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(items), "ms/item")
	b.ReportMetric(float64(procmem.PeakKB("self"))/1024, "peakRSS-MB")
}

// Closing and exporting a 10,000-item stock-take with 1,000 items missing:
// the workbook and the Word report. Run with -benchtime 3x.
func BenchmarkStocktakeCloseExport10k(b *testing.B) {
	w, id := bigWorld(b)
	ctx := context.Background()
	p, err := w.db.PersonByContact(ctx, "console", "大经理")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchItems; i += incubator.MaxMarksPerMessage {
		m := incubator.Mark{Result: incubator.FoundPresent}
		if i < 1000 {
			m.Result = incubator.FoundMissing
		}
		for j := i; j < i+incubator.MaxMarksPerMessage; j++ {
			m.Refs = append(m.Refs, incubator.Ref{Code: fmt.Sprintf("DF-%05d", j+1)})
		}
		if _, err := w.db.MarkStocktake(ctx, id, p.ID, 0, m, w.now, admin); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	res, err := w.db.CloseStocktake(ctx, id, w.now, admin)
	if err != nil || res.Missing.Count != 1000 {
		b.Fatalf("close: %+v %v", res.Missing, err)
	}
	closeMS := float64(time.Since(start).Milliseconds())
	dir := b.TempDir()
	var xlsx, word time.Duration
	for b.Loop() {
		items, err := w.db.StocktakeItems(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		extras, _ := w.db.StocktakeExtras(ctx, id)
		t0 := time.Now()
		if err := sheet.Write(filepath.Join(dir, "盘点.xlsx"), incubator.StocktakeSheets(res, items, extras)); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := incubator.StocktakeReport(res, items, extras).Save(filepath.Join(dir, "盘点.docx"), "盘点"); err != nil {
			b.Fatal(err)
		}
		xlsx, word = xlsx+t1.Sub(t0), word+time.Since(t1)
	}
	n := float64(b.N)
	b.ReportMetric(closeMS, "close-ms")
	b.ReportMetric(float64(xlsx.Milliseconds())/n, "xlsx-ms")
	b.ReportMetric(float64(word.Milliseconds())/n, "docx-ms")
	b.ReportMetric(float64(procmem.PeakKB("self"))/1024, "peakRSS-MB")
}
