package incubator

import "testing"

func TestCheckDescription(t *testing.T) {
	reg := DemoRegister()
	byCode := map[string]Asset{}
	for _, a := range reg {
		byCode[a.Code] = a
	}
	printer := byCode["CKC-001"] // 工业级3D打印机, 一楼创客工坊
	var projector, projector4 Asset
	for _, a := range reg {
		if a.Name == "投影仪" && a.Location == "三楼会议室" {
			projector = a
		}
		if a.Name == "投影仪" && a.Location == "四楼会议室" {
			projector4 = a
		}
	}
	cases := []struct {
		asset Asset
		text  string
		fits  bool
		terms string
	}{
		{printer, "三楼会议室投影仪找不到", false, "三楼会议室、投影仪"},
		{printer, "3D打印机不见了", true, ""},
		{printer, "一楼创客工坊的打印机被偷了", true, ""},
		{printer, "被偷了", true, ""},
		{printer, "", true, ""},
		{projector, "三楼会议室投影仪找不到", true, ""},
		{projector4, "三楼会议室投影仪找不到", false, "三楼"},
		{printer, "二楼机房的服务器坏了", false, "二楼机房、服务器"},
		{projector, "3F会议室投影仪", true, ""},
		{projector, "5F会议室投影仪", false, "5F"},
	}
	for _, tc := range cases {
		m, bad := CheckDescription(tc.asset, reg, tc.text)
		if bad == tc.fits || m.Describe() != tc.terms {
			t.Errorf("%s (%s, %s) / %q: misfit %v %q, want fits=%v %q", tc.asset.Code, tc.asset.Name, tc.asset.Location, tc.text, bad, m.Describe(), tc.fits, tc.terms)
		}
	}
}
