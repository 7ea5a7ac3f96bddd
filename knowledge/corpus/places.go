package corpus

import (
	"strings"

	"github.com/incubot/incubot/internal/place"
)

// provinceAbbrev maps the one-character abbreviation that opens a local
// government's 文号 (桂科成字, 浙政发) to its province.
var provinceAbbrev = map[string]string{
	"京": "北京", "津": "天津", "沪": "上海", "渝": "重庆", "冀": "河北", "晋": "山西", "蒙": "内蒙古",
	"辽": "辽宁", "吉": "吉林", "黑": "黑龙江", "苏": "江苏", "浙": "浙江", "皖": "安徽", "闽": "福建",
	"赣": "江西", "鲁": "山东", "豫": "河南", "鄂": "湖北", "湘": "湖南", "粤": "广东", "桂": "广西",
	"琼": "海南", "川": "四川", "黔": "贵州", "滇": "云南", "藏": "西藏", "陕": "陕西", "甘": "甘肃",
	"青": "青海", "新": "新疆",
}

// DocumentPlaces reads, once at ingest, the places a document is of: those
// its title names, or else the province its 文号's issuer code stands for
// (桂科成字〔2022〕17号 → 广西). None: it binds everywhere.
func DocumentPlaces(title, docNumber string) []string {
	if ps := place.In(title); len(ps) > 0 {
		return ps
	}
	for abbrev, province := range provinceAbbrev {
		if strings.HasPrefix(docNumber, abbrev) {
			// A national office's code never opens with a province's
			// abbreviation, and each abbreviation is one province.
			return []string{province}
		}
	}
	return nil
}
