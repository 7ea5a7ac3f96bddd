package ops_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/models"
)

const maxFile = 1 << 20

func withFiles(t *testing.T) *world {
	w := newWorld(t)
	kb := func() *knowledge.KB {
		return &knowledge.KB{Store: w.db, Local: models.NewLocalEmbedder(), Embedder: models.NewLocalEmbedder()}
	}
	(&ops.Files{Store: w.db, KB: kb, Now: func() time.Time { return w.now }, MaxFileSize: maxFile}).Register(w.router)
	return w
}

var seq int

// send delivers one private message from user through the router, as a
// channel that stored the attachment's bytes (data non-nil) would.
func (w *world) send(t *testing.T, user, text string, att model.Attachment, data []byte) string {
	t.Helper()
	seq++
	ctx := context.Background()
	m := bot.Message{Channel: console.Channel, ID: fmt.Sprintf("f-%d", seq), ChatKind: bot.Private, ChatID: "private:" + user,
		SenderID: user, SenderName: user, Text: text, Attachment: att, Time: w.now}
	if data != nil {
		id, err := w.db.SaveReceivedFile(ctx, &model.ReceivedFile{Channel: m.Channel, MessageID: m.ID, Name: att.Name, MIME: att.MIME, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		m.Attachment.Ref, m.Attachment.Size = fmt.Sprintf("file:%d", id), int64(len(data))
	}
	replies, err := w.router.Handle(ctx, m)
	if err != nil || len(replies) != 1 {
		t.Fatalf("%q: %v %v", text, replies, err)
	}
	return replies[0].Text
}

func (w *world) sendFile(t *testing.T, user, name, body string) string {
	t.Helper()
	return w.send(t, user, "", model.Attachment{Kind: "file", Name: name}, []byte(body))
}

func (w *world) docs(t *testing.T) []corpus.Document {
	t.Helper()
	docs, err := w.db.Documents(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

const (
	measureV1 = "XX区企业购买科技成果补助暂行办法\n柳鱼科字〔2021〕3号\n第一条 为鼓励企业购买科技成果，制定本办法。\n第六条 按技术合同实际成交额的10%给予补助。\n"
	measureV2 = "XX区企业购买科技成果补助暂行办法（修订）\n柳鱼科字〔2021〕3号\n第一条 为鼓励企业购买科技成果，制定本办法。\n第六条 按技术合同实际成交额的15%给予补助。\n"
)

// An officer sends a measure in a private chat: it is read and shown, and
// indexed only on 1; a newer version with the same 文号 replaces it; 0, a
// timeout or another command index nothing, and the other command is
// answered.
func TestOfficerSendsADocumentInChat(t *testing.T) {
	w := withFiles(t)
	got := w.sendFile(t, "李科长", "补助办法.txt", measureV1)
	if want := "收到《XX区企业购买科技成果补助暂行办法》（文号 柳鱼科字〔2021〕3号，2条），回复 1 入库，0 取消。"; !strings.HasPrefix(got, want) {
		t.Fatalf("preview:\n%s\nwant %s", got, want)
	}
	if len(w.docs(t)) != 0 {
		t.Fatal("nothing is indexed before 1")
	}
	if got := w.send(t, "李科长", "1", model.Attachment{}, nil); !strings.Contains(got, "已入库《XX区企业购买科技成果补助暂行办法》（柳鱼科字〔2021〕3号），2条") || !strings.Contains(got, "没有替换其他文件") {
		t.Fatalf("indexed: %s", got)
	}
	docs := w.docs(t)
	if len(docs) != 1 || docs[0].Source != "微信：李科长" {
		t.Fatalf("one document from WeChat: %+v", docs)
	}
	audit, err := w.db.Audit(context.Background(), time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range audit {
		found = found || (e.Actor == "李科长" && e.Channel == console.Channel && e.Entity == "document")
	}
	if !found {
		t.Fatalf("the addition is audited under the officer: %+v", audit)
	}

	if got := w.sendFile(t, "李科长", "again.txt", measureV1); !strings.Contains(got, "这个文件已在政策库中") {
		t.Fatalf("the same file again: %s", got)
	}
	w.sendFile(t, "李科长", "修订.txt", measureV2)
	if got := w.send(t, "李科长", "1", model.Attachment{}, nil); !strings.Contains(got, "它替换了《XX区企业购买科技成果补助暂行办法》（柳鱼科字〔2021〕3号）") {
		t.Fatalf("replacement named: %s", got)
	}
	if docs := w.docs(t); len(docs) != 1 || !strings.Contains(docs[0].Title, "修订") {
		t.Fatalf("the revision replaced the first: %+v", docs)
	}

	other := strings.ReplaceAll(strings.ReplaceAll(measureV1, "3号", "9号"), "购买科技成果补助", "科技金融贴息")
	w.sendFile(t, "李科长", "贴息.txt", other)
	if got := w.send(t, "李科长", "0", model.Attachment{}, nil); !strings.Contains(got, "已取消") {
		t.Fatalf("0 cancels: %s", got)
	}
	w.sendFile(t, "李科长", "贴息.txt", other)
	got = w.send(t, "李科长", "政策列表", model.Attachment{}, nil)
	if !strings.HasPrefix(got, "（《XX区企业科技金融贴息暂行办法》没有入库，已取消") || !strings.Contains(got, "可查询的政策文件（1个）") {
		t.Fatalf("another command cancels the pending file with a note and is answered:\n%s", got)
	}
	w.sendFile(t, "李科长", "贴息.txt", other)
	w.now = w.now.Add(31 * time.Minute)
	w.send(t, "李科长", "1", model.Attachment{}, nil)
	if len(w.docs(t)) != 1 {
		t.Fatal("a confirmation after the form timed out indexes nothing")
	}

	if got := w.sendFile(t, "李科长", "坏.pdf", "%PDF-1.4 not really"); !strings.HasPrefix(got, "没有入库：") {
		t.Fatalf("a damaged file is refused in Chinese: %s", got)
	}
	if got := w.send(t, "李科长", "", model.Attachment{Kind: "file", Name: "大.pdf", Size: 5 << 20}, nil); !strings.Contains(got, "文件太大（5.0 MB），上限 1.0 MB") {
		t.Fatalf("a file the channel did not download for its size: %s", got)
	}
	if got := w.sendFile(t, "张三", "x.txt", measureV1); got != ops.ReplyFileNotOfficer {
		t.Fatalf("an enterprise user's file: %s", got)
	}
	if got := w.sendFile(t, "王经理", "x.txt", measureV1); got != ops.ReplyFileNotOfficer {
		t.Fatalf("a manager's document: %s", got)
	}
	if len(w.docs(t)) != 1 {
		t.Fatal("refused files index nothing")
	}
}

// A manager's photo sent within five minutes of their asset report is
// attached to it; one without a report, or later, is not kept.
func TestManagersPhotoIsAttachedToTheirReport(t *testing.T) {
	w := withFiles(t)
	w.now = time.Now()
	photo := func() string {
		return w.send(t, "王经理", "", model.Attachment{Kind: "image", MIME: "image/jpeg"}, []byte("\xff\xd8\xff\xe0 jpeg bytes"))
	}
	if got := photo(); got != ops.ReplyPhotoNoReport {
		t.Fatalf("no report yet: %s", got)
	}
	replies := w.say(t, "王经理", "缺失 CKC-001 三楼会议室投影仪找不到", "1")
	if !strings.Contains(replies[1], "已登记，报告号") {
		t.Fatalf("report: %q", replies)
	}
	got := photo()
	if !strings.Contains(got, "照片已附在报告 #") || !strings.Contains(got, "CKC-001") || !strings.Contains(got, "共1张") {
		t.Fatalf("attached: %s", got)
	}
	var id int64
	fmt.Sscanf(got[strings.Index(got, "#")+1:], "%d", &id)
	photos, err := w.db.ReportPhotos(context.Background(), id)
	if err != nil || len(photos) != 1 || photos[0].MIME != "image/jpeg" || photos[0].Size != 15 {
		t.Fatalf("the report keeps the photo: %+v %v", photos, err)
	}
	w.now = time.Now().Add(ops.PhotoWindow + time.Minute)
	if got := photo(); got != ops.ReplyPhotoNoReport {
		t.Fatalf("a photo after the window is not attached: %s", got)
	}
	if got := w.send(t, "张三", "", model.Attachment{Kind: "image"}, []byte("x")); got != bot.ReplyNotText {
		t.Fatalf("an enterprise user's photo gets the text-only reply: %s", got)
	}
	// Files nothing keeps are purged; the report's photo stays.
	if n, err := w.db.PurgeReceivedFiles(context.Background(), time.Now().Add(time.Hour)); err != nil || n != 3 {
		t.Fatalf("purged %d unkept files, want 3: %v", n, err)
	}
	if photos, _ := w.db.ReportPhotos(context.Background(), id); len(photos) != 1 {
		t.Fatal("a report's photo is kept")
	}
}

// The console's /file sends a file as WeChat delivers one.
func TestConsoleSendsAFile(t *testing.T) {
	w := withFiles(t)
	path := t.TempDir() + "/补助办法.txt"
	if err := os.WriteFile(path, []byte(measureV1), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := &console.Console{Router: w.router, In: strings.NewReader("/file " + path + "\n1\n/file /no/such/file.docx\n"), Out: &out, User: "李科长", Files: w.db, MaxFileSize: maxFile}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"收到《XX区企业购买科技成果补助暂行办法》（文号 柳鱼科字〔2021〕3号，2条）", "已入库", "console: /no/such/file.docx"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("console lacks %q:\n%s", want, out.String())
		}
	}
}

// During a stock-take a manager's photo sent within five minutes of marking
// an item 缺 or 坏 is kept with that finding, survives the purge while the
// stock-take is open, and is the photo of the finding's report after close.
func TestManagersPhotoDuringStocktake(t *testing.T) {
	w := withFiles(t)
	ctx := context.Background()
	w.now = time.Now()
	photo := func(b string) string {
		return w.send(t, "王经理", "", model.Attachment{Kind: "image", MIME: "image/jpeg"}, []byte("\xff\xd8\xff\xe0 "+b))
	}
	w.say(t, "李科长", "盘点 开始 创客城")
	w.say(t, "王经理", "在 CKC-003")
	if got := photo("a"); got != ops.ReplyPhotoNoReport {
		t.Fatalf("a photo after an 在 mark is not kept: %s", got)
	}
	w.say(t, "王经理", "坏 CKC-002 屏幕裂", "缺 CKC-001")
	mustContain(t, photo("b"), "照片已附在盘点中 CKC-001 工业级3D打印机 的记录上，共1张")
	mustContain(t, photo("c"), "CKC-001", "共2张")
	w.now = w.now.Add(ops.PhotoWindow + time.Minute)
	if got := photo("d"); got != ops.ReplyPhotoNoReport {
		t.Fatalf("a photo after the window is not kept: %s", got)
	}
	if n, err := w.db.PurgeReceivedFiles(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("purged %d files, want the 2 nothing keeps: %v", n, err)
	}
	w.say(t, "李科长", "盘点 结束 创客城")
	reps, err := w.db.AssetReports(ctx, time.Time{}, time.Now().Add(24*time.Hour))
	if err != nil || len(reps) != 2 {
		t.Fatalf("reports: %d %v", len(reps), err)
	}
	for _, r := range reps {
		photos, err := w.db.ReportPhotos(ctx, r.ID)
		want := map[string]int{"CKC-001": 2, "CKC-002": 0}[r.AssetCode]
		if err != nil || len(photos) != want {
			t.Fatalf("report %d (%s) has %d photos, want %d: %v", r.ID, r.AssetCode, len(photos), want, err)
		}
	}
}
