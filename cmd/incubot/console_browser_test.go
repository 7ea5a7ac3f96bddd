package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/xuri/excelize/v2"
)

// chromiumFlags are the flags the browser tests and the screenshot script
// start Chromium with: headless, nothing fetched in the background.
var chromiumFlags = []chromedp.ExecAllocatorOption{
	chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
	chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
}

// startChromium starts Debian's chromium with a fresh profile. A missing
// browser fails the test: CI installs it.
func startChromium(t *testing.T, width, height int) (context.Context, context.CancelFunc) {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if path, err = exec.LookPath("chromium-browser"); err != nil {
			t.Fatal("chromium is not installed (apt-get install -y chromium): the browser tests need it")
		}
	}
	opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height)}, chromiumFlags...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("chromium does not start: %v", err)
	}
	return ctx, func() { cancelTime(); cancelCtx(); cancelAlloc() }
}

// wordFile writes a minimal .docx with one paragraph per line.
func wordFile(t *testing.T, dir, name string, paras ...string) string {
	t.Helper()
	var body strings.Builder
	for _, p := range paras {
		body.WriteString("<w:p><w:r><w:t>" + p + "</w:t></w:r></w:p>")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`))
	zw.Close()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// chat sends lines to the bot as an enterprise user in a private chat and
// returns what it replied.
func (e *consoleEnv) chat(lines ...string) string {
	e.t.Helper()
	var out bytes.Buffer
	c := &console.Console{Router: e.a.router(e.db, nil), In: strings.NewReader(strings.Join(lines, "\n") + "\n"), Out: &out, User: "张三", BotName: "小助手"}
	if err := c.Run(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return out.String()
}

// step runs actions with a deadline; on failure it shows where the browser
// was and what the page said.
func step(ctx context.Context, t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		loc, _ := chromedp.Run(lctx, chromedp.Location())
		body, _ := chromedp.Run(lctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, body)
	}
}

func text(ctx context.Context, t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// An officer's round in a real browser: sign in with a link, upload a
// .docx and read its chunks, run a hit test, turn an unanswered question
// into a curated answer the bot then gives, approve a pending asset
// report, and download the export.
func TestConsoleInBrowser(t *testing.T) {
	e := newConsoleEnv(t)
	ctx, cancel := startChromium(t, 1280, 900)
	defer cancel()
	bg := context.Background()
	dir := t.TempDir()

	// Sign in with a one-time link.
	step(ctx, t, "sign in", chromedp.Navigate(e.link(e.officer)), chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")))
	if who := text(ctx, t, ".who"); !strings.Contains(who, "李科长") {
		t.Fatalf("signed in as %q", who)
	}

	// Upload a .docx and see its chunks.
	doc := wordFile(t, dir, "XX区企业购买科技成果补助暂行办法.docx", "第一条 为促进科技成果转化，制定本办法。",
		"第六条 按技术合同实际支付技术交易额的10%给予补助，单个项目最高补助50万元。", "第九条 申请补助的企业应当提交申请表和技术合同登记证明。")
	step(ctx, t, "upload", chromedp.Navigate(e.srv.URL+"/console/docs"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name=files]`), []string{doc}),
		chromedp.Click(chromedp.CSS(`form.upload button`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.results`)))
	if res := text(ctx, t, "ul.results"); !strings.Contains(res, "已添加") || !strings.Contains(res, "《XX区企业购买科技成果补助暂行办法》，3 个条款") {
		t.Fatalf("upload result: %q", res)
	}
	step(ctx, t, "open the document", chromedp.Click(chromedp.CSS(`ul.results a`)), chromedp.WaitVisible(chromedp.CSS(`ol.chunks`)))
	if chunks := text(ctx, t, "ol.chunks"); !strings.Contains(chunks, "第六条") || !strings.Contains(chunks, "单个项目最高补助50万元") {
		t.Fatalf("chunks: %q", chunks)
	}

	// Run a hit test.
	step(ctx, t, "hit test", chromedp.Navigate(e.srv.URL+"/console/hittest"),
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "购买科技成果补助的比例是多少"),
		chromedp.Submit(chromedp.CSS(`input[name=q]`)), chromedp.WaitVisible(chromedp.CSS(`#reply`)))
	if reply := text(ctx, t, "#reply"); !strings.Contains(reply, "10%") || !strings.Contains(reply, "第六条") {
		t.Fatalf("hit test reply: %q", reply)
	}
	if hits := text(ctx, t, "main"); !strings.Contains(hits, "词法 #") || !strings.Contains(hits, "检索词") || !strings.Contains(hits, "所问数量\n比例") {
		t.Fatalf("hit test explanation: %q", hits)
	}

	// An enterprise asks what the corpus does not cover; the officer
	// answers it; the bot then uses the answer.
	const q = "孵化器场地租金有没有减免？"
	if before := e.chat(q); !strings.Contains(before, "没有找到") {
		t.Fatalf("the bot should decline first: %q", before)
	}
	const answer = "在孵企业入驻首年场地租金减半，由孵化器运营方直接减免。"
	step(ctx, t, "unanswered questions", chromedp.Navigate(e.srv.URL+"/console/questions"),
		chromedp.WaitVisible(chromedp.CSS(`section.qgroup`)))
	if g := text(ctx, t, "section.qgroup h2"); g != q {
		t.Fatalf("unanswered question shown: %q", g)
	}
	step(ctx, t, "answer", chromedp.Click(chromedp.CSS(`details.answer summary`)),
		chromedp.SendKeys(chromedp.CSS(`details.answer textarea[name=answer]`), answer),
		chromedp.SendKeys(chromedp.CSS(`details.answer input[name=basis]`), "创客城入驻协议第三条"),
		chromedp.Click(chromedp.CSS(`details.answer button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.ok`)))
	if page := text(ctx, t, "main"); !strings.Contains(page, "已转为问答对") || !strings.Contains(page, "没有待处理的未答问题") {
		t.Fatalf("after answering: %q", page)
	}
	if after := e.chat(q); !strings.Contains(after, answer) {
		t.Fatalf("the bot should give the curated answer now: %q", after)
	}

	// Approve a pending asset report.
	asset := mustAsset(t, e.db, "CKC-001")
	rep := incubator.AssetReport{AssetID: asset.ID, Kind: "缺失", Note: "三楼会议室投影仪找不到", Reporter: "王经理", Channel: "console"}
	if err := e.db.CreateAssetReport(bg, &rep, postgres.Actor{Name: "王经理", Role: "manager", Channel: "console"}); err != nil {
		t.Fatal(err)
	}
	sel := "#report-" + itoa(int(rep.ID))
	step(ctx, t, "approve", chromedp.Navigate(e.srv.URL+"/console/reports"), chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.SendKeys(chromedp.CSS(sel+` input[name=note]`), "已到现场核对"),
		chromedp.Click(chromedp.CSS(sel+` button[value=pass]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.ok`)))
	got, err := e.db.AssetReportByID(bg, rep.ID)
	if err != nil || got.Review != incubator.ReviewPassed || got.Reviewer != "李科长" || got.ReviewNote != "已到现场核对" {
		t.Fatalf("the report after approval: %+v %v", got, err)
	}

	// Download the export and open it.
	downloads := t.TempDir()
	on := true
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &on}); err != nil {
		t.Fatal(err)
	}
	progress := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadProgress)
	step(ctx, t, "export", chromedp.Click(chromedp.CSS(`#export`)))
	var guid string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the export was not downloaded: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	f, err := excelize.OpenFile(filepath.Join(downloads, guid))
	if err != nil {
		t.Fatalf("the export does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("资产台账")
	if err != nil || len(rows) != 104 || rows[0][1] != "资产编号" || rows[103][0] != "合计" {
		t.Fatalf("register sheet: %d rows, %v", len(rows), err)
	}
	reports, err := f.GetRows("资产报送")
	// The demo's own story comes first (its stock-take and replacements);
	// the report approved here is the last row.
	// the report approved here is the last before the 合计 row.
	last := len(reports) - 2
	if err != nil || last < 1 || reports[last][0] != itoa(int(rep.ID)) || reports[last][2] != "CKC-001" || reports[last][12] != "通过" || reports[last+1][1] != "合计" {
		t.Fatalf("reports sheet: %v %v", reports, err)
	}
	if v, _ := f.GetCellValue("资产台账", "H2", excelize.Options{RawCellValue: true}); strings.ContainsAny(v, "¥,") || v == "" {
		t.Fatalf("the downloaded 原值 is a number, not text: %q", v)
	}
}
