package docfile

import (
	"strings"
	"testing"
)

func TestDocumentTitleFromTheDocument(t *testing.T) {
	for _, c := range []struct {
		name, meta, text, want, rest string
	}{
		{"first line", "", "专利收费减缴办法\n财税〔2016〕78号\n第一条 …", "专利收费减缴办法", "财税〔2016〕78号"},
		{"附件 and red header skipped", "", "附件1\n南宁市科学技术局文件\n关于组织申报2024年度科技项目的通知\n一、申报条件", "关于组织申报2024年度科技项目的通知", "一、申报条件"},
		{"wrapped over two lines", "", "财政部 税务总局关于进一步完善研发费用税前加计\n扣除政策的公告\n财政部 税务总局公告2023年第7号", "财政部 税务总局关于进一步完善研发费用税前加计扣除政策的公告", "财政部 税务总局公告2023年第7号"},
		{"文号 above the title stays", "", "柳鱼科字〔2021〕3号\n柳州市鱼峰区科技项目管理办法（试行）\n第一条 …", "柳州市鱼峰区科技项目管理办法（试行）", "柳鱼科字〔2021〕3号"},
		{"properties when the text has none", "XX区科技创新券实施细则", "第一条 为…，制定本细则。", "XX区科技创新券实施细则", "第一条"},
		{"placeholder properties ignored", "Microsoft Word - 附件1.doc", "第一条 为…，制定本细则。", "", "第一条"},
		{"a sentence is no title", "", "为进一步激励企业加大研发投入，现公告如下：\n一、…", "", "为进一步"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, rest := documentTitle(nil, c.meta, c.text)
			if got != c.want || !strings.HasPrefix(strings.TrimSpace(rest), c.rest) {
				t.Fatalf("title %q, text starts %q", got, strings.SplitN(strings.TrimSpace(rest), "\n", 2)[0])
			}
		})
	}
}

func TestDocNumbersOneWay(t *testing.T) {
	for in, want := range map[string]string{
		"柳鱼科字〔2021〕3号\n第一条":      "柳鱼科字〔2021〕3号",
		"财税[2016]78号\n第一条":       "财税〔2016〕78号",
		"财税 【2016] 78 号\n第一条":    "财税〔2016〕78号", // as OCR reads it
		"财政部 税务总局公告2023年第7号\n为…": "财政部 税务总局公告2023年第7号",
		"根据《…》（南科规〔2025〕3号）制定。":  "",
	} {
		if got := Recognize(in).DocNumber; got != want {
			t.Errorf("%q: 文号 %q, want %q", in, got, want)
		}
	}
}
