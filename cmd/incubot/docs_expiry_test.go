package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/internal/model"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/web"
)

// With the sample measures past their expiry (2027-02-28), kb list and
// doctor say so, and a question is told the document expired and whom to
// ask, instead of the generic decline.
func TestExpiredSampleMeasures(t *testing.T) {
	c := newCLI(t)
	if _, errOut, err := c.run("", "kb", "add", "../../deploy/sample/policies"); err != nil {
		t.Fatalf("kb add: %v %s", err, errOut)
	}
	c.env["INCUBOT_TODAY"] = "2027-02-10"
	if out, _, err := c.run("", "kb", "list"); err != nil || strings.Count(out, "即将到期（18天，2027-02-28）") != 2 {
		t.Fatalf("kb list before expiry: %v\n%s", err, out)
	}
	c.env["INCUBOT_TODAY"] = "2027-03-05"
	if out, _, err := c.run("", "kb", "list"); err != nil || strings.Count(out, "已到期（2027-02-28）") != 2 {
		t.Fatalf("kb list after expiry: %v\n%s", err, out)
	}
	out, _, _ := c.run("", "doctor")
	if !strings.Contains(out, "! 2 document(s) expired or expire within 30 days (today 2027-03-05)") || !strings.Contains(out, "已到期（2027-02-28）  XX区企业购买科技成果补助暂行办法") {
		t.Fatalf("doctor lists the expired documents:\n%s", out)
	}
	if out, _, _ := c.run("", "kb", "search", "购买科技成果补助比例是多少？"); !strings.Contains(out, "2 document(s) expired before today (2027-03-05) and are not searched") {
		t.Fatalf("kb search says why nothing is found:\n%s", out)
	}
	out, _, err := c.run("", "ask", "购买科技成果补助比例是多少？")
	if err != nil || !strings.Contains(out, "该文件已于2027年2月28日到期，请向区科技局科技服务科（电话 0771-0000000）确认是否有新规定") {
		t.Fatalf("an expired measure's question: %v\n%s", err, out)
	}
}

// A photo a manager attached to an asset report in chat is linked from the
// console's report list and served to officers and to that incubator's
// manager only; report photos lists and writes it.
func TestReportPhotosInConsoleAndCLI(t *testing.T) {
	e := newConsoleEnv(t)
	ctx := context.Background()
	attach := func(code string, reporter int64, msg string) int64 {
		rep := incubator.AssetReport{AssetID: mustAsset(t, e.db, code).ID, Kind: "缺失", Reporter: "王经理", ReporterID: reporter, Channel: "wechat"}
		if err := e.db.CreateAssetReport(ctx, &rep, postgres.Actor{Name: "王经理", Role: "manager", Channel: "wechat"}); err != nil {
			t.Fatal(err)
		}
		id, err := e.db.SaveReceivedFile(ctx, &model.ReceivedFile{Channel: "wechat", MessageID: msg, MIME: "image/jpeg", Data: []byte("\xff\xd8\xff photo of " + code)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.AttachPhoto(ctx, id, reporter, time.Now().Add(-time.Minute), postgres.Actor{Name: "王经理", Role: "manager", Channel: "wechat"}); err != nil {
			t.Fatal(err)
		}
		return rep.ID
	}
	own := attach("CKC-001", e.manager, "p1")
	officer := e.browser()
	officer.signIn(e.link(e.officer))
	_, page := officer.get(web.Prefix + "reports")
	link := "/console/reports/" + itoa(int(own)) + "/photos/1"
	if !strings.Contains(page, link) {
		t.Fatalf("the report list links the photo %s", link)
	}
	code, body := officer.get(link)
	if code != http.StatusOK || body != "\xff\xd8\xff photo of CKC-001" {
		t.Fatalf("the officer sees the photo: %d %q", code, body)
	}
	mgr := e.browser()
	mgr.signIn(e.link(e.manager))
	if code, _ := mgr.get(link); code != http.StatusOK {
		t.Fatalf("the manager sees their own report's photo: %d", code)
	}
	other := attach("XK-001", e.officer, "p2") // a report of 星空众创空间
	if code, _ := mgr.get("/console/reports/" + itoa(int(other)) + "/photos/1"); code != http.StatusForbidden {
		t.Fatalf("a manager opening another incubator's photo: %d", code)
	}
	if code, _ := officer.get("/console/reports/" + itoa(int(own)) + "/photos/2"); code != http.StatusNotFound {
		t.Fatalf("a photo that does not exist: %d", code)
	}

	var out bytes.Buffer
	e.a.stdout = &out
	dir := t.TempDir()
	if err := reportPhotos(ctx, e.a, e.db, []string{itoa(int(own)), "-o", dir}); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "report-"+itoa(int(own))+"-1.jpg")
	if b, err := os.ReadFile(name); err != nil || string(b) != "\xff\xd8\xff photo of CKC-001" || !strings.Contains(out.String(), name) {
		t.Fatalf("report photos writes %s: %v\n%s", name, err, out.String())
	}
}
