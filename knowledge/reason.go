package knowledge

import (
	"regexp"
	"strings"
)

var (
	reReasonCoverage = regexp.MustCompile(`^no clause answers directly \(key coverage ([0-9.]+)\)$`)
	reasonAsked      = map[string]string{"duration": "期限", "money": "金额", "ratio": "比例", "date": "日期", "count": "数量", "area": "面积"}
)

// ReasonText is why a question was not answered (Answer.Reason, kept in
// the question log for programs) as an officer reads it, in Chinese.
func ReasonText(reason string) string {
	cut := func(prefix string) (string, bool) { return strings.CutPrefix(reason, prefix) }
	list := func(s string) string { return strings.ReplaceAll(s, ", ", "、") }
	if m := reReasonCoverage.FindStringSubmatch(reason); m != nil {
		return "没有条款直接回答（问题关键词覆盖 " + m[1] + "）"
	}
	if strings.HasPrefix(reason, "model answer not used: ") {
		return "模型的回答未通过核对，改用条款原文"
	}
	if rest, ok := cut("no document holds "); ok {
		return "政策库中没有关于“" + list(rest) + "”的规定"
	}
	if rest, ok := cut("no document mentions "); ok {
		return "政策库中没有提到“" + list(rest) + "”的文件"
	}
	if rest, ok := cut("only documents of places other than "); ok {
		return "只有" + strings.TrimSuffix(rest, " match") + "以外地区的文件相符"
	}
	if rest, ok := cut("no relevant clause states the "); ok {
		kind := strings.TrimSuffix(rest, " asked for")
		if zh, ok := reasonAsked[kind]; ok {
			kind = zh
		}
		return "相关条款没有规定所问的" + kind
	}
	if rest, ok := cut("no clause states "); ok {
		return "相关条款没有写明" + list(rest)
	}
	switch reason {
	case "nothing passed the relevance thresholds":
		return "没有足够相关的条款"
	case "the model found the clauses do not answer":
		return "模型判断相关条款不能回答这个问题"
	}
	return reason
}
