package docfile

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/incubot/incubot/knowledge/corpus"
)

func parseFile(t *testing.T, name string) *Parsed {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(context.Background(), name, data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func labels(cs []corpus.Chunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Article)
	}
	return out
}

func TestChunkArticlesWithChaptersAndItems(t *testing.T) {
	p := parseFile(t, "articles.txt")
	if p.Title != "XX区支持高新技术企业发展暂行办法" || p.Source != "区科技局" {
		t.Fatalf("header: title %q source %q", p.Title, p.Source)
	}
	cs := Split(p.Text, nil)
	want := []string{"第一条", "第二条", "第三条", "第四条"}
	if got := labels(cs); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("labels %v, want %v", got, want)
	}
	if cs[0].Heading != "第一章 总则" {
		t.Errorf("heading of 第一条: %q", cs[0].Heading)
	}
	if cs[2].Heading != "第二章 支持措施 第一节 认定奖励" {
		t.Errorf("heading path of 第三条: %q", cs[2].Heading)
	}
	if !strings.Contains(cs[2].Body, "（二）重新认定的，一次性奖励10万元") {
		t.Errorf("（一）（二） items must stay inside their article: %q", cs[2].Body)
	}
	if cs[2].Label() != "第三条" {
		t.Errorf("label %q", cs[2].Label())
	}
	m := Recognize(p.Text)
	if m.EffectiveOn == nil || m.EffectiveOn.Format("2006-01-02") != "2024-01-01" || m.ExpiresOn == nil || m.ExpiresOn.Format("2006-01-02") != "2026-12-31" {
		t.Errorf("dates: %v %v", m.EffectiveOn, m.ExpiresOn)
	}
}

func TestRecognizeValidity(t *testing.T) {
	m := Recognize("第十条 本办法自2024年3月1日起施行，有效期三年。2020年12月31日起原《暂行办法》同时废止。")
	if m.EffectiveOn == nil || m.ExpiresOn == nil || m.ExpiresOn.Format("2006-01-02") != "2027-02-28" {
		t.Fatalf("有效期三年 from 2024-03-01 ends 2027-02-28: %v %v", m.EffectiveOn, m.ExpiresOn)
	}
	if m := Recognize("第九条 本办法自发布之日起施行，2022年印发的办法自2024年1月1日起废止。"); m.ExpiresOn != nil {
		t.Fatalf("repealing an older document does not end this one: %v", m.ExpiresOn)
	}
	if m := Recognize("第十二条 本办法自2016年1月1日起施行。高新技术企业资格自颁发证书之日起有效期为三年。"); m.ExpiresOn != nil {
		t.Fatalf("a certificate's term is not the document's: %v", m.ExpiresOn)
	}
}

func TestRecognizeDocNumberOnItsOwnLine(t *testing.T) {
	cited := "各有关单位：\n根据《关于印发〈南宁市企业购买科技成果转化后补助管理办法〉的通知》（南科规〔2025〕3号）文件要求，现将有关事项通知如下："
	if m := Recognize(cited); m.DocNumber != "" {
		t.Errorf("a 文号 cited in a sentence is another document's, got %q", m.DocNumber)
	}
	if m := Recognize("南宁市科学技术局文件\n（南科通〔2024〕26号）\n各有关单位："); m.DocNumber != "南科通〔2024〕26号" {
		t.Errorf("文号 on its own line: %q", m.DocNumber)
	}
	if m := Recognize("财政部 税务总局公告2023年第7号\n为进一步激励企业加大研发投入，现将有关事项公告如下："); m.DocNumber != "财政部 税务总局公告2023年第7号" {
		t.Errorf("announcement number: %q", m.DocNumber)
	}
	meta := Meta{Title: "行政事业性国有资产管理条例（国务院令第738号，2021年）"}
	if RecognizeTitle(&meta); meta.DocNumber != "国务院令第738号" {
		t.Errorf("order number: %q", meta.DocNumber)
	}
}

func TestChunkNoticeParts(t *testing.T) {
	p := parseFile(t, "notice.txt")
	if p.DocNumber != "南科通〔2024〕26号" {
		t.Errorf("文号: %q", p.DocNumber)
	}
	cs := Split(p.Text, nil)
	got := labels(cs)
	want := []string{"", "一", "二", "三"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("labels %v, want %v", got, want)
	}
	if !strings.Contains(cs[1].Body, "2.2023年获得备案的众创空间") {
		t.Errorf("numbered items inside a part stay in it: %q", cs[1].Body)
	}
	if cs[1].Label() != "第一部分" {
		t.Errorf("part label %q", cs[1].Label())
	}
}

func TestChunkTopLevelNumberedItems(t *testing.T) {
	p := parseFile(t, "items.txt")
	if p.Title != "科技企业孵化器管理办法" || p.TitleFromName {
		t.Errorf("a first line that reads as a title is the title: %q", p.Title)
	}
	cs := Split(p.Text, nil)
	got := strings.Join(labels(cs), ",")
	if got != "第一条,1,2,第十条" {
		t.Fatalf("labels %q (the title line is not a chunk of its own)", got)
	}
	if cs[1].Heading != "第二章 认定条件" || cs[1].Label() != "第1项" {
		t.Errorf("item: heading %q label %q", cs[1].Heading, cs[1].Label())
	}
	if strings.Contains(cs[0].Body, "独立法人") {
		t.Error("items after a chapter heading must not join the article before it")
	}
	for _, c := range cs {
		if strings.Contains(c.Body, "编者注") || strings.Contains(c.Body, "未取得") {
			t.Errorf("an editor's note is not policy text, yet chunk %q holds it: %q", c.Label(), c.Body)
		}
	}
}

func TestChunkLongArticleSplitsWithOverlap(t *testing.T) {
	cs := Split(parseFile(t, "long.txt").Text, nil)
	var parts []corpus.Chunk
	for _, c := range cs {
		if c.Article == "第五条" {
			parts = append(parts, c)
		}
	}
	if len(parts) < 2 {
		t.Fatalf("a long article must be split, got %d part(s)", len(parts))
	}
	for i, c := range parts {
		if n := utf8.RuneCountInString(c.Body); n > MaxChunkRunes+20 {
			t.Errorf("part %d has %d runes", i, n)
		}
		if c.Part != i+1 {
			t.Errorf("part number %d, want %d", c.Part, i+1)
		}
		if i > 0 {
			if !strings.HasPrefix(c.Body, "（第五条续）") {
				t.Errorf("part %d should repeat its label: %q", i, c.Body[:30])
			}
			prev := SentencesOf(parts[i-1].Body)
			last := prev[len(prev)-1]
			if !strings.Contains(c.Body, last) {
				t.Errorf("part %d should start with the previous part's last sentence %q", i, last)
			}
		}
	}
	for _, c := range parts {
		if strings.HasSuffix(c.Body, "流") {
			t.Errorf("parts must end at sentence boundaries: %q", c.Body)
		}
	}
}

func TestChunkPlainTextFallsBackToParagraphs(t *testing.T) {
	cs := Split(parseFile(t, "plain.txt").Text, nil)
	if len(cs) != 1 || cs[0].Article != "" || !strings.Contains(cs[0].Body, "第二段") {
		t.Fatalf("plain text: %+v", cs)
	}
	long := strings.Repeat("没有结构的长段落文字。", 100)
	cs = Split(long, nil)
	if len(cs) < 2 {
		t.Fatalf("long unstructured text must be cut by size, got %d chunks", len(cs))
	}
}

func TestFrontMatter(t *testing.T) {
	p := parseFile(t, "frontmatter.md")
	if p.Title != "XX区企业购买科技成果补助暂行办法" || p.DocNumber != "X科规〔2024〕1号" || p.Issuer != "XX区科学技术局" {
		t.Fatalf("front matter: %+v", p.Meta)
	}
	if p.EffectiveOn.Format("2006-01-02") != "2024-03-01" || p.ExpiresOn.Format("2006-01-02") != "2026-02-28" {
		t.Fatalf("dates: %v %v", p.EffectiveOn, p.ExpiresOn)
	}
	if strings.Contains(p.Text, "title:") {
		t.Fatal("front matter must not be indexed as text")
	}
}

// docx builds a minimal Word document with paragraphs and one table.
func docx(t *testing.T, paras []string, table [][]string) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range paras {
		body.WriteString("<w:p><w:r><w:t>" + p + "</w:t></w:r></w:p>")
	}
	if table != nil {
		body.WriteString("<w:tbl>")
		for _, row := range table {
			body.WriteString("<w:tr>")
			for _, c := range row {
				body.WriteString("<w:tc><w:p><w:r><w:t>" + c + "</w:t></w:r></w:p></w:tc>")
			}
			body.WriteString("</w:tr>")
		}
		body.WriteString("</w:tbl>")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`))
	zw.Close()
	return buf.Bytes()
}

func TestDocxTableRowsRepeatTheHeader(t *testing.T) {
	data := docx(t, []string{"XX区科技项目补助标准", "第一条 补助标准见下表。", "补助标准表"},
		[][]string{{"项目类别", "补助比例", "最高金额"}, {"一类项目", "10%", "50万元"}, {"二类项目", "5%", "20万元"}})
	p, err := Parse(context.Background(), "标准.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	cs := Split(p.Text, p.Tables)
	var rows []corpus.Chunk
	for _, c := range cs {
		if strings.HasPrefix(c.Article, "表格") {
			rows = append(rows, c)
		}
	}
	if len(rows) != 2 {
		t.Fatalf("want one chunk per data row, got %+v", cs)
	}
	if rows[1].Body != "项目类别：二类项目；补助比例：5%；最高金额：20万元" || rows[1].Heading != "补助标准表" {
		t.Fatalf("row chunk: %+v", rows[1])
	}
}

func TestParseRejectsBadFiles(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"a.xls", []byte("x"), corpus.ErrUnsupported},
		{"a.exe", []byte("x"), corpus.ErrUnsupported},
		{"empty.txt", []byte("  \n "), corpus.ErrNoText},
		{"broken.docx", []byte("PK\x03\x04 not really a zip"), corpus.ErrInvalid},
		{"binary.txt", []byte("abc\x00def"), corpus.ErrInvalid},
		{"broken.pdf", []byte("%PDF-1.4 garbage"), corpus.ErrInvalid},
		{"scan.pdf", minimalPDF(""), corpus.ErrNoText},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(context.Background(), tc.name, tc.data)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParsePDFTextLayer(t *testing.T) {
	p, err := Parse(context.Background(), "a.pdf", minimalPDF("Article 1 subsidy rules"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text, "subsidy") {
		t.Fatalf("text layer: %q", p.Text)
	}
}

func TestParseGB18030Text(t *testing.T) {
	gbk := []byte{0xb5, 0xda, 0xd2, 0xbb, 0xcc, 0xf5} // 第一条 in GB18030
	p, err := Parse(context.Background(), "gbk.txt", append(gbk, []byte(" test\n")...))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text, "第一条") {
		t.Fatalf("decoded %q", p.Text)
	}
}

// minimalPDF writes a one-page PDF whose page shows text (none: a page
// without a text layer, as a scan has).
func minimalPDF(text string) []byte {
	content := ""
	if text != "" {
		content = "BT /F1 12 Tf 72 720 Td (" + text + ") Tj ET"
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Length " + itoa(len(content)) + " >>\nstream\n" + content + "\nendstream",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := []int{}
	for i, o := range objs {
		offsets = append(offsets, b.Len())
		b.WriteString(itoa(i+1) + " 0 obj\n" + o + "\nendobj\n")
	}
	xref := b.Len()
	b.WriteString("xref\n0 " + itoa(len(objs)+1) + "\n0000000000 65535 f \n")
	for _, off := range offsets {
		s := itoa(off)
		b.WriteString(strings.Repeat("0", 10-len(s)) + s + " 00000 n \n")
	}
	b.WriteString("trailer\n<< /Size " + itoa(len(objs)+1) + " /Root 1 0 R >>\nstartxref\n" + itoa(xref) + "\n%%EOF\n")
	return b.Bytes()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

// Every part of a split list article repeats the sentence that introduces
// the list, so a late item still says what it is a condition of.
func TestChunkSplitListRepeatsItsLeadIn(t *testing.T) {
	var b strings.Builder
	b.WriteString("第十一条 认定为高新技术企业须同时满足以下条件：\n")
	for i, item := range []string{"一", "二", "三", "四", "五", "六", "七", "八"} {
		fmt.Fprintf(&b, "（%s）第%d项条件说明企业的研究开发费用、知识产权、科技人员和销售收入应当符合本办法附件规定的比例和要求；\n", item, i+1)
	}
	cs := Split(b.String(), nil)
	if len(cs) < 2 {
		t.Fatalf("the article should be split, got %d chunk(s)", len(cs))
	}
	for i, c := range cs {
		if n := utf8.RuneCountInString(c.Body); n > MaxChunkRunes {
			t.Errorf("part %d has %d runes", i+1, n)
		}
		if i > 0 && !strings.HasPrefix(c.Body, "（第十一条续）认定为高新技术企业须同时满足以下条件：\n") {
			t.Errorf("part %d does not repeat the lead-in: %q", i+1, c.Body[:60])
		}
	}
	if last := cs[len(cs)-1].Body; !strings.Contains(last, "（八）") {
		t.Errorf("the last item is lost: %q", last)
	}

	short := Split("第五条 本办法所称企业，是指：\n在本区注册的企业。\n", nil)
	if len(short) != 1 || strings.Count(short[0].Body, "是指") != 1 {
		t.Errorf("an article that fits is one chunk, unchanged: %+v", short)
	}
}

// An article split into parts reads whole again, as written, from its
// stored chunks (which keep no part number): the 原文 command shows it so.
func TestArticleTextJoinsTheParts(t *testing.T) {
	var lines []string
	lines = append(lines, "第十一条 认定为高新技术企业须同时满足以下条件：")
	for i := 1; i <= 12; i++ {
		lines = append(lines, fmt.Sprintf("（%d）第%d项条件要求企业的研究开发费用、科技人员和知识产权等指标符合本办法规定的相应标准，并按照规定的程序和时限提交相关证明材料；", i, i))
	}
	article := strings.Join(lines, "\n")
	cs := Split("第十条 本办法适用于本区。\n"+article+"\n第十二条 本办法自发布之日起施行。", nil)
	var parts []corpus.Chunk
	for _, c := range cs {
		if c.Article == "第十一条" {
			c.Part = 0
			parts = append(parts, c)
		}
	}
	if len(parts) < 2 {
		t.Fatalf("the article must be split, got %d part(s)", len(parts))
	}
	if !parts[1].Continues() || parts[0].Continues() {
		t.Fatalf("only the later parts continue the article")
	}
	if got := ArticleText(parts); got != article {
		t.Fatalf("the article does not read as written:\n%s\nwant:\n%s", got, article)
	}
}
