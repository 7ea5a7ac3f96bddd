package place

import (
	"strings"
	"testing"
)

func TestPlaces(t *testing.T) {
	for text, want := range map[string]string{
		"南宁市企业购买科技成果转化后补助管理办法":    "南宁",
		"北海后补助里购买科技成果转化的项目要交哪些材料": "北海",
		"浙江西部的企业和广西的企业":           "浙江,广西",
		"中华人民共和国企业所得税法":           "",
		"自治区科技厅关于开展众创空间备案工作的通知":   "",
		"孵化器要确保定期报送数据吗":           "",
	} {
		if got := strings.Join(In(text), ","); got != want {
			t.Errorf("In(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestKnownAcceptsFullNames(t *testing.T) {
	for name, want := range map[string]string{"南宁": "南宁", "南宁市": "南宁", "广西壮族自治区": "广西", "浙江省": "浙江"} {
		if got, ok := Known(name); !ok || got != want {
			t.Errorf("Known(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if _, ok := Known("XX区"); ok {
		t.Error("a district is not a known place")
	}
}
