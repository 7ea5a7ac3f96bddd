package incubator

import (
	"errors"
	"testing"
	"time"
)

func TestCheckTransfer(t *testing.T) {
	a := Asset{ID: 1, Code: "CKC-019", Name: "投影仪", Location: "三楼会议室", Custodian: "王经理", Status: StatusRegistered}
	ok := []struct{ loc, cust, wantLoc, wantCust string }{
		{"四楼会议室", "", "四楼会议室", "王经理"},
		{"", "张三", "三楼会议室", "张三"},
		{"四楼会议室", "阿卜杜·热合曼", "四楼会议室", "阿卜杜·热合曼"},
		{"", "Li Wei", "三楼会议室", "Li Wei"},
	}
	for _, c := range ok {
		tr, err := CheckTransfer(a, c.loc, c.cust)
		if err != nil || tr.ToLocation != c.wantLoc || tr.ToCustodian != c.wantCust || tr.FromLocation != "三楼会议室" {
			t.Errorf("%q %q: %+v %v", c.loc, c.cust, tr, err)
		}
	}
	bad := []struct{ loc, cust, rule string }{
		{"", "", RefuseTransferNowhere},
		{"三楼会议室", "王经理", RefuseTransferNowhere},
		{"", "张三123", RefuseCustodianFormat},
		{"", "@张三", RefuseCustodianFormat},
		{"", "张", RefuseCustodianFormat},
		{"", "张三李四王五赵六张三李四王五赵六张三李四王五", RefuseCustodianFormat},
		{"四楼\x1b会议室", "", RefuseLocationFormat},
	}
	for _, c := range bad {
		var r *Refusal
		if _, err := CheckTransfer(a, c.loc, c.cust); !errors.As(err, &r) || r.Rule != c.rule {
			t.Errorf("%q %q: %v, want %s", c.loc, c.cust, err, c.rule)
		}
	}
	a.Status = StatusMissing
	if _, err := CheckTransfer(a, "四楼会议室", ""); !errors.Is(err, ErrConflict) {
		t.Errorf("a missing asset cannot be moved: %v", err)
	}
}

func TestPastLife(t *testing.T) {
	day := func(y int) *time.Time { d := time.Date(y, 3, 1, 0, 0, 0, 0, time.UTC); return &d }
	assets := []Asset{
		{Code: "A", Category: "计算机设备", PurchasedOn: day(2015), Status: StatusRegistered},
		{Code: "B", Category: "计算机设备", PurchasedOn: day(2022), Status: StatusRegistered},
		{Code: "C", Category: "家具", PurchasedOn: day(2005), Status: StatusMissing},
		{Code: "D", Category: "家具", PurchasedOn: day(2005), Status: StatusWrittenOff},
		{Code: "E", Category: "创客工坊设备", PurchasedOn: day(2000), Status: StatusRegistered},
		{Code: "F", Category: "计算机设备", Status: StatusRegistered},
	}
	lives := []ServiceLife{{Category: "计算机设备", Years: 6}, {Category: "家具", Years: 15}}
	over, unc := PastLife(assets, lives, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if len(over) != 2 || over[0].Code != "C" || over[1].Code != "A" || over[1].Due.Year() != 2021 {
		t.Fatalf("overdue: %+v", over)
	}
	if unc["创客工坊设备"] != 1 || len(unc) != 1 {
		t.Fatalf("uncovered: %v", unc)
	}
}
