package ops_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/docfile"
	"github.com/incubot/incubot/knowledge/models"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// 政策列表 shows what each document is today, and officers are told once a
// day, however often the notice is attempted (by restarts or a second
// process), which documents expired or expire soon.
func TestExpiryIsShownAndAnnouncedOnceADay(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	kb := &knowledge.KB{Store: w.db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	expires := day("2027-02-28")
	later := day("2027-03-20")
	for _, f := range []struct {
		name, text string
		exp        *time.Time
	}{
		{"a.txt", "# XX区企业购买科技成果补助暂行办法\n第六条 按技术合同实际成交额的10%给予补助。\n", &expires},
		{"b.txt", "# XX区支持高新技术企业发展暂行办法\n第三条 首次认定的高新技术企业给予20万元奖励。\n", &later},
		{"c.txt", "# 专利收费减缴办法\n第一条 专利申请人可以请求减缴申请费。\n", nil},
	} {
		if res := kb.Add(ctx, f.name, []byte(f.text), knowledge.AddOptions{Meta: docfile.Meta{ExpiresOn: f.exp}}); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	today := day("2027-03-05")
	w.router.Opts.Today = func() time.Time { return today }
	list := w.say(t, "张三", "政策列表")[0]
	for _, want := range []string{"可查询的政策文件（2个）", "有效期至2027-03-20，还有15天到期", "已到期的文件（1个，不再用于回答）", "《XX区企业购买科技成果补助暂行办法》（已于2027-02-28到期）"} {
		if !strings.Contains(list, want) {
			t.Fatalf("政策列表 lacks %q:\n%s", want, list)
		}
	}

	docs, err := w.db.Documents(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	text := knowledge.ExpiryNotice(docs, today)
	for attempt := range 3 {
		n, err := w.db.DailyNotice(ctx, "expiry", today, []string{"console"}, text)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[attempt == 0]; n != want {
			t.Fatalf("attempt %d queued %d notices, want %d", attempt, n, want)
		}
	}
	if n, err := w.db.DailyNotice(ctx, "expiry", today.AddDate(0, 0, 1), []string{"wechat"}, text); err != nil || n != 0 {
		t.Fatalf("officers of another channel are not sent to: %d %v", n, err)
	}
	out, err := w.db.ClaimOutbox(ctx, "console", "test", 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].ChatKind != "private" || !strings.Contains(out[0].Text, "《XX区企业购买科技成果补助暂行办法》已到期（2027-02-28）") ||
		!strings.Contains(out[0].Text, "《XX区支持高新技术企业发展暂行办法》即将到期（15天") || strings.Contains(out[0].Text, "专利") {
		t.Fatalf("one notice to the one bound officer, naming both documents: %+v", out)
	}
}
