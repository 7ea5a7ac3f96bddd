package knowledge_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/incubot/incubot/knowledge"
)

const noticeA = "关于组织申报2024年度科技项目的通知\n南科通〔2024〕3号\n一、申报条件：在本区注册的企业。\n二、申报时间：3月1日至3月31日。\n"
const noticeB = "关于组织申报2024年度科技项目的通知\n南科通〔2024〕9号\n一、申报条件：在本区注册的科技型中小企业。\n二、申报时间：9月1日至9月30日。\n"
const noticeA2 = "关于组织申报2024年度科技项目的通知\n南科通[2024]3号\n一、申报条件：在本区注册的企业。\n二、申报时间：3月1日至4月15日。\n"

// Replacement follows the 文号: the same title with another 文号 is another
// document; the same 文号 (however its brackets are written) is the new
// version.
func TestReplacementFollowsTheDocNumber(t *testing.T) {
	e := newEnv(t)
	a := e.add(t, "通知.txt", noticeA, knowledge.AddOptions{})
	b := e.add(t, "通知(1).txt", noticeB, knowledge.AddOptions{})
	if b.Outcome != knowledge.Added || b.SameTitle == nil || b.SameTitle.ID != a.Doc.ID {
		t.Fatalf("another 文号, same title: %s, same title %+v", b.Outcome, b.SameTitle)
	}
	a2 := e.add(t, "通知-更正.txt", noticeA2, knowledge.AddOptions{})
	if a2.Outcome != knowledge.Replaced || a2.Replaced.ID != a.Doc.ID || a2.Doc.DocNumber != "南科通〔2024〕3号" {
		t.Fatalf("same 文号: %s replaced %+v, 文号 %q", a2.Outcome, a2.Replaced, a2.Doc.DocNumber)
	}
	docs, _ := e.db.Documents(context.Background(), false)
	if len(docs) != 2 {
		t.Fatalf("%d active, want b and a2", len(docs))
	}
}

// Two files without a title or 文号, titled by their names, never replace
// each other unless the officer says so.
func TestFileNameTitlesNeverReplace(t *testing.T) {
	e := newEnv(t)
	a := e.add(t, "附件1.txt", "第一条 专利申请费减缴85%。\n", knowledge.AddOptions{})
	if !a.TitleFromName || a.Doc.Title != "附件1" {
		t.Fatalf("title %q from name %v", a.Doc.Title, a.TitleFromName)
	}
	b := e.add(t, "附件1.md", "第一条 研发费用加计扣除比例为100%。\n", knowledge.AddOptions{})
	if b.Outcome != knowledge.Added {
		t.Fatalf("a second 附件1: %s", b.Outcome)
	}
	c := e.add(t, "附件1.text.txt", "第一条 研发费用加计扣除比例为100%，自2023年起。\n", knowledge.AddOptions{Replaces: "附件1.md"})
	if c.Outcome != knowledge.Replaced || c.Replaced.ID != b.Doc.ID {
		t.Fatalf("--replaces: %s %+v", c.Outcome, c.Replaced)
	}
}

// kb edit corrects a title and 文号 in place: same chunks, the document is
// found and cited under its new metadata, and a 文号 of another document is
// refused.
func TestEditCorrectsMetadataInPlace(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.add(t, "附件1.txt", "第一条 专利申请人为个人的，减缴申请费的85%。\n", knowledge.AddOptions{})
	other := e.add(t, "b.txt", noticeB, knowledge.AddOptions{})
	before, _ := e.db.DocumentChunks(ctx, a.Doc.ID)
	title, number := "专利收费减缴办法", "财税[2016]78号"
	_, after, err := e.kb.Edit(ctx, strconv.FormatInt(a.Doc.ID, 10), knowledge.MetaEdit{Title: &title, DocNumber: &number})
	if err != nil {
		t.Fatal(err)
	}
	if after.Title != title || after.DocNumber != "财税〔2016〕78号" || after.ID != a.Doc.ID {
		t.Fatalf("after edit: %+v", after)
	}
	chunks, _ := e.db.DocumentChunks(ctx, a.Doc.ID)
	if len(chunks) != len(before) || chunks[0].ID != before[0].ID {
		t.Fatalf("chunks changed: %v → %v", before, chunks)
	}
	found, err := e.db.FindDocument(ctx, "财税〔2016〕78号")
	if err != nil || found.ID != a.Doc.ID {
		t.Fatalf("find by the new 文号: %v %v", found, err)
	}
	hits := e.search(t, "专利收费减缴办法 个人减缴申请费比例")
	if len(hits) == 0 || hits[0].Doc.ID != a.Doc.ID || !strings.Contains(hits[0].Doc.Citation(), "专利收费减缴办法") {
		t.Fatalf("retrieval under the new title: %+v", hits)
	}
	taken := other.Doc.DocNumber
	if _, _, err := e.kb.Edit(ctx, strconv.FormatInt(a.Doc.ID, 10), knowledge.MetaEdit{DocNumber: &taken}); err == nil {
		t.Fatal("a 文号 another document has was accepted")
	}
}
