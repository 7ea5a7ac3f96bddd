package incubator

import (
	"errors"
	"testing"
)

func TestChineseAmount(t *testing.T) {
	for _, c := range []struct {
		fen  int64
		want string
	}{
		{0, "零元整"},
		{5, "伍分"},
		{120, "壹元贰角整"},
		{100_00, "壹佰元整"},
		{1005_00, "壹仟零伍元整"},
		{1050_00, "壹仟零伍拾元整"},
		{100200_00, "壹拾万零贰佰元整"},
		{2000000_00, "贰佰万元整"},
		{2345678_90, "贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"},
		{1_0000_0001_00, "壹亿零壹元整"},
		{10_0305_07, "壹拾万零叁佰零伍元零柒分"},
		{2301_4600_00, "贰仟叁佰零壹万肆仟陆佰元整"},
	} {
		if got := ChineseAmount(c.fen); got != c.want {
			t.Errorf("ChineseAmount(%d) = %s, want %s", c.fen, got, c.want)
		}
	}
}

func TestParseMark(t *testing.T) {
	m, err := ParseMark(FoundPresent, "1-3，5、ckc-007 ＣＫＣ－００８")
	if err != nil || len(m.Refs) != 6 || m.Refs[0].Num != 1 || m.Refs[2].Num != 3 || m.Refs[3].Num != 5 || m.Refs[4].Code != "CKC-007" || m.Refs[5].Code != "CKC-008" {
		t.Fatalf("%+v %v", m, err)
	}
	m, err = ParseMark(FoundMoved, "4 三楼 会议室")
	if err != nil || m.Text != "三楼 会议室" || m.Refs[0].Num != 4 {
		t.Fatalf("%+v %v", m, err)
	}
	if m, err := ParseMark(FoundPresent, "全部"); err != nil || !m.All {
		t.Fatalf("%+v %v", m, err)
	}
	for _, bad := range []string{"", "好的", "1 好的", "全部 3", "5-2", "1-60"} {
		_, err := ParseMark(FoundPresent, bad)
		var r *Refusal
		if !errors.As(err, &r) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	var many string
	for range MaxMarksPerMessage + 1 {
		many += "1 "
	}
	if _, err := ParseMark(FoundPresent, many); err == nil {
		t.Error("more marks than allowed")
	}
}

func TestCleanNoticeNumber(t *testing.T) {
	for _, s := range []string{"柳鱼科字[2021]3号", "柳鱼科字〔2021〕3 号", "柳鱼科字（2021）3号"} {
		if got := CleanNoticeNumber(s); got != "柳鱼科字〔2021〕3号" {
			t.Errorf("%s → %s", s, got)
		}
	}
	for s, ok := range map[string]bool{"柳鱼科字〔2021〕3号": true, "财税〔2016〕78号": true, "第三号": false, "〔2021〕3号": false, "柳鱼科字〔21〕3号": false} {
		if ValidNoticeNumber(s) != ok {
			t.Errorf("ValidNoticeNumber(%s) != %v", s, ok)
		}
	}
	if NoticeNumber("柳鱼科字", 2021, 3) != "柳鱼科字〔2021〕3号" {
		t.Error(NoticeNumber("柳鱼科字", 2021, 3))
	}
}
