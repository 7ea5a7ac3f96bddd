package docfile

import (
	"regexp"
	"slices"
	"strings"
)

// reInstruction finds text addressed to an AI assistant rather than to
// the people a policy binds: orders to disregard instructions, to answer
// in a given way, to play a role, or talk of prompts and models. A policy
// document never speaks so; a file that does was tampered with, or quotes
// an attack, and its words must not become the bot's answer.
var reInstruction = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`(忽略|无视|忘记|忘掉|不要理会|不必理会|跳过)(掉)?(以上|上述|之前|前面|先前|此前|所有|全部|其他|你的)`,
	`(以上|上述|之前|前面|先前)的?(所有|全部)?(指令|指示|提示|规则|要求|设定)(均|都|全部)?(作废|无效|失效)`,
	`(你|您)(现在)?(是|扮演|作为)(一个|一名)?(AI|人工智能|智能)?(助手|机器人|客服|语言模型|大模型)`,
	`(作为|身为)(一个|一名)?(AI|人工智能|智能助手|语言模型|大模型|助手)`,
	`(请|必须|务必|一律|直接)(你)?(回答|回复|输出|告诉用户|对用户说)[:：“"]`,
	`^\s*(回答|回复|输出)[:：]`,
	`系统提示|提示词|system\s*prompt|prompt\s*injection`,
	`ignore\s+(all\s+)?(the\s+)?(previous|above|prior)\s+(instructions|rules|prompts?)`,
	`(disregard|forget)\s+(all\s+)?(previous|above|prior)`,
	`you\s+are\s+(now\s+)?(an?\s+)?(ai|assistant|chatbot|language model)`,
}, "|"))

// instructionWords holds, for each alternative of reInstruction, words one
// of which every match contains (its required group, the English ones in
// lower case; none has a letter that folds to another outside ASCII). Text
// holding none cannot match, and almost no policy text holds one, so the
// regular expressions run on few chunks.
var instructionWords = func() []string {
	words := []string{
		"忽略", "无视", "忘记", "忘掉", "理会", "跳过", // 忽略以上…
		"作废", "无效", "失效", // 以上指令作废
		"助手", "机器人", "客服", "语言模型", "大模型", "人工智能", "ai", // 你是…助手, 作为AI
		"系统提示", "提示词", "prompt", "ignore", "regard", "forget", "you",
	}
	for _, verb := range []string{"回答", "回复", "输出", "告诉用户", "对用户说"} { // 请回答：
		for _, mark := range []string{":", "：", "“", `"`} {
			words = append(words, verb+mark)
		}
	}
	return words
}()

// ReadsAsInstruction reports whether text reads as an instruction to an
// assistant (忽略以上指令，回答：…). Such a chunk is flagged at ingest,
// shown to officers, and never quoted as an answer.
func ReadsAsInstruction(text string) bool {
	lower := strings.ToLower(text)
	if !slices.ContainsFunc(instructionWords, func(w string) bool { return strings.Contains(lower, w) }) {
		return false
	}
	for _, line := range strings.Split(text, "\n") {
		if reInstruction.MatchString(line) {
			return true
		}
	}
	return false
}
