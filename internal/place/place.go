// Package place reads Chinese place names: the provinces and
// prefecture-level cities a policy question or document title names.
package place

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// A local policy binds only its own place: 南宁's purchase subsidy says
// nothing about 北海, however many words the two share. A question that
// names a place is therefore answered from national documents, documents
// of that place, and documents of the province above it (or, for a
// province, of its cities); never from another city's or province's.
//
// provinces lists the provincial-level divisions with their
// prefecture-level cities, in the short form people write (南宁, not
// 南宁市). City names that are also everyday words (朝阳, 白银, 安康, 来宾,
// 大同, 长治, 中山) or that common phrases contain (确保定期, 推广安全, 盛大
// 庆典, 日照时间, 集中卫生) are left out: a false place would hide valid
// answers.
var provinces = map[string][]string{
	"北京": nil, "天津": nil, "上海": nil, "重庆": nil,
	"河北":  {"石家庄", "唐山", "秦皇岛", "邯郸", "邢台", "张家口", "承德", "沧州", "廊坊", "衡水"},
	"山西":  {"太原", "阳泉", "晋城", "朔州", "晋中", "运城", "忻州", "临汾", "吕梁"},
	"内蒙古": {"呼和浩特", "包头", "乌海", "赤峰", "通辽", "鄂尔多斯", "呼伦贝尔", "巴彦淖尔", "乌兰察布"},
	"辽宁":  {"沈阳", "大连", "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "阜新", "辽阳", "盘锦", "铁岭", "葫芦岛"},
	"吉林":  {"长春", "四平", "辽源", "通化", "白山", "松原", "白城"},
	"黑龙江": {"哈尔滨", "齐齐哈尔", "鸡西", "鹤岗", "双鸭山", "伊春", "佳木斯", "七台河", "牡丹江", "黑河", "绥化"},
	"江苏":  {"南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江", "泰州", "宿迁"},
	"浙江":  {"杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水"},
	"安徽":  {"合肥", "芜湖", "蚌埠", "淮南", "马鞍山", "淮北", "铜陵", "安庆", "黄山", "滁州", "阜阳", "宿州", "六安", "亳州", "池州", "宣城"},
	"福建":  {"福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德"},
	"江西":  {"南昌", "景德镇", "萍乡", "九江", "新余", "鹰潭", "赣州", "吉安", "宜春", "抚州", "上饶"},
	"山东":  {"济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "临沂", "德州", "聊城", "滨州", "菏泽"},
	"河南":  {"郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌", "漯河", "三门峡", "南阳", "商丘", "信阳", "周口", "驻马店"},
	"湖北":  {"武汉", "黄石", "十堰", "宜昌", "襄阳", "鄂州", "荆门", "孝感", "荆州", "黄冈", "咸宁", "随州"},
	"湖南":  {"长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州", "永州", "怀化", "娄底"},
	"广东":  {"广州", "韶关", "深圳", "珠海", "汕头", "佛山", "江门", "湛江", "茂名", "肇庆", "惠州", "梅州", "汕尾", "河源", "阳江", "清远", "东莞", "潮州", "揭阳", "云浮"},
	"广西":  {"南宁", "柳州", "桂林", "梧州", "北海", "防城港", "钦州", "贵港", "玉林", "百色", "贺州", "河池", "崇左"},
	"海南":  {"海口", "三亚", "三沙", "儋州"},
	"四川":  {"成都", "自贡", "攀枝花", "泸州", "德阳", "绵阳", "广元", "遂宁", "内江", "乐山", "南充", "眉山", "宜宾", "达州", "雅安", "巴中", "资阳"},
	"贵州":  {"贵阳", "六盘水", "遵义", "安顺", "毕节", "铜仁"},
	"云南":  {"昆明", "曲靖", "玉溪", "保山", "昭通", "丽江", "普洱", "临沧"},
	"西藏":  {"拉萨", "日喀则", "昌都", "林芝", "山南", "那曲"},
	"陕西":  {"西安", "铜川", "宝鸡", "咸阳", "渭南", "延安", "汉中", "榆林", "商洛"},
	"甘肃":  {"兰州", "嘉峪关", "金昌", "天水", "武威", "张掖", "平凉", "酒泉", "庆阳", "定西", "陇南"},
	"青海":  {"西宁", "海东"},
	"宁夏":  {"银川", "石嘴山", "吴忠", "固原"},
	"新疆":  {"乌鲁木齐", "克拉玛依", "吐鲁番", "哈密"},
	"香港":  nil, "澳门": nil, "台湾": nil,
}

// provinceOf maps every place to its province (a province to itself);
// placesByRune lists the names by their first character, longest first.
var provinceOf, placesByRune = func() (map[string]string, map[rune][]string) {
	of := map[string]string{}
	for p, cities := range provinces {
		of[p] = p
		for _, c := range cities {
			of[c] = p
		}
	}
	by := map[rune][]string{}
	for n := range of {
		r, _ := utf8.DecodeRuneInString(n)
		by[r] = append(by[r], n)
	}
	for _, names := range by {
		sort.Slice(names, func(i, j int) bool {
			if len(names[i]) != len(names[j]) {
				return len(names[i]) > len(names[j])
			}
			return names[i] < names[j]
		})
	}
	return of, by
}()

// In returns the places text names, each once, read left to right; at
// each position the longest name wins.
func In(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		matched := ""
		for _, n := range placesByRune[r] {
			if strings.HasPrefix(text[i:], n) {
				matched = n
				break
			}
		}
		if matched == "" {
			i += size
			continue
		}
		if !slices.Contains(out, matched) {
			out = append(out, matched)
		}
		i += len(matched)
	}
	return out
}

// Known reads name as a place, written short or in full (南宁 or 南宁市,
// 广西 or 广西壮族自治区), and returns its short form.
func Known(name string) (string, bool) {
	for _, suffix := range []string{"壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"} {
		name = strings.TrimSuffix(name, suffix)
	}
	_, ok := provinceOf[name]
	return name, ok
}

// Within says whether place d lies within province q (北海 within 广西).
func Within(d, q string) bool { return provinceOf[d] == q }

// Applies reports whether a document of the places docPlaces can
// answer a question that names asked: a document naming no place is
// national or the bureau's own and always applies.
func Applies(asked, docPlaces []string) bool {
	if len(asked) == 0 || len(docPlaces) == 0 {
		return true
	}
	for _, q := range asked {
		for _, d := range docPlaces {
			if q == d || provinceOf[q] == d || provinceOf[d] == q {
				return true
			}
		}
	}
	return false
}
