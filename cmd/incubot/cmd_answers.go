package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/internal/sheet"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/eval"
)

func cmdAsk(ctx context.Context, a *app, args []string) error {
	fs := newFlags("ask", a)
	asJSON := fs.Bool("json", false, "print the answer with its citations as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(strings.Join(pos, " "))
	if q == "" {
		return usagef("ask needs a question, e.g. incubot ask \"购买科技成果补助比例是多少\"")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	ans, err := a.answererOn(db).Answer(ctx, q, "")
	if err != nil {
		return err
	}
	if _, err := db.LogAnswer(ctx, postgres.QuestionLog{Channel: "cli", Asker: "cli", Question: q}, ans); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(a.stdout).Encode(ans)
	}
	a.printf("%s\n", ans.Text)
	return nil
}

func cmdQuestions(ctx context.Context, a *app, args []string) error {
	fs := newFlags("questions", a)
	unanswered := fs.Bool("unanswered", false, "only questions the corpus did not cover")
	since := fs.String("since", "", "from this date on (YYYY-MM-DD); default: the last 30 days")
	out := fs.String("o", "", "write an .xlsx file instead of printing")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	from, err := sinceDate(*since, 30)
	if err != nil {
		return err
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	qs, err := db.Questions(ctx, from, *unanswered)
	if err != nil {
		return err
	}
	if *out != "" {
		s := sheet.Sheet{Name: "问题记录", Columns: []sheet.Column{{Title: "时间", Kind: sheet.DateTime}, {Title: "提问人"}, {Title: "会话"},
			{Title: "问题"}, {Title: "是否回答"}, {Title: "回复"}, {Title: "未答原因"}, {Title: "提问者评价"}, {Title: "评价原因"}}}
		for _, q := range qs {
			s.Data = append(s.Data, []any{q.CreatedAt, q.Asker, q.Chat, q.Question, yesNo(q.Answered), q.Answer, knowledge.ReasonText(q.Reason), usefulText(q.Useful), q.Feedback})
		}
		if err := sheet.Write(*out, []sheet.Sheet{s}); err != nil {
			return err
		}
		a.printf("wrote %d questions to %s\n", len(qs), strings.Join(sheet.Paths(*out, []sheet.Sheet{s}), ", "))
		return nil
	}
	if *asJSON {
		return json.NewEncoder(a.stdout).Encode(qs)
	}
	if len(qs) == 0 {
		a.printf("no questions since %s\n", from.Format(time.DateOnly))
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tASKER\tANSWERED\tQUESTION")
	for _, q := range qs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", q.CreatedAt.Local().Format("01-02 15:04"), safe(q.Asker), yesNo(q.Answered), safe(clip(q.Question, 60)))
	}
	return tw.Flush()
}

// usefulText is what the asker said of an answer, as officers read it.
func usefulText(u *bool) string {
	switch {
	case u == nil:
		return ""
	case *u:
		return "有用"
	}
	return "没用"
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

func kbFAQ(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return usagef("kb faq add --question Q --answer A [--basis B] | list | remove ID | import FILE.xlsx")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	switch args[0] {
	case "add":
		fs := newFlags("kb faq add", a)
		q := fs.String("question", "", "the question as people ask it")
		ans := fs.String("answer", "", "the curated answer, sent verbatim")
		basis := fs.String("basis", "", "its basis, e.g. 《XX区企业购买科技成果补助暂行办法》第六条")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		f := corpus.FAQ{Question: *q, Answer: *ans, Basis: *basis, CreatedBy: "cli"}
		if err := f.Validate(); err != nil {
			return usagef("%v", err)
		}
		if err := db.AddFAQs(ctx, []corpus.FAQ{f}); err != nil {
			return err
		}
		a.printf("added FAQ: %s\n", f.Question)
	case "list":
		faqs, err := db.FAQs(ctx)
		if err != nil {
			return err
		}
		if len(faqs) == 0 {
			a.printf("no curated answers yet: incubot kb faq add --question … --answer … --basis …\n")
		}
		for _, f := range faqs {
			a.printf("%d. %s\n   答：%s\n   依据：%s\n", f.ID, safe(f.Question), safe(clip(f.Answer, 80)), safe(orDash(f.Basis)))
		}
	case "remove":
		if len(args) != 2 {
			return usagef("kb faq remove ID")
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return usagef("kb faq remove: %q is not an id (see kb faq list)", args[1])
		}
		if err := db.RemoveFAQ(ctx, id); err != nil {
			return err
		}
		a.printf("removed FAQ %d\n", id)
	case "import":
		if len(args) != 2 {
			return usagef("kb faq import FILE.xlsx (columns 问题, 答案, 依据)")
		}
		faqs, problems, err := readFAQSheet(args[1])
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			for _, p := range problems {
				fmt.Fprintln(a.stderr, "✗", p)
			}
			return fmt.Errorf("%d problem(s) in %s: nothing imported", len(problems), args[1])
		}
		if err := db.AddFAQs(ctx, faqs); err != nil {
			return err
		}
		a.printf("imported %d FAQs from %s\n", len(faqs), args[1])
	default:
		return usagef("unknown kb faq subcommand %q", args[0])
	}
	return nil
}

// readFAQSheet reads 问题/答案/依据 columns; every bad row is reported.
func readFAQSheet(path string) ([]corpus.FAQ, []string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil, err
	}
	t, err := sheet.Read(path)
	if err != nil {
		return nil, nil, err
	}
	cols, missing := t.Columns(map[string][]string{"问题": {"问题", "question"}, "答案": {"答案", "回答", "answer"}, "依据": {"依据", "basis"}}, "问题", "答案")
	if len(missing) > 0 {
		return nil, []string{fmt.Sprintf("missing column(s): %s", strings.Join(missing, ", "))}, nil
	}
	var faqs []corpus.FAQ
	var problems []string
	for i, row := range t.Rows {
		f := corpus.FAQ{Question: t.Cell(row, cols["问题"]), Answer: t.Cell(row, cols["答案"]), Basis: t.Cell(row, cols["依据"]), CreatedBy: "import"}
		if f.Question == "" && f.Answer == "" {
			continue
		}
		if err := f.Validate(); err != nil {
			problems = append(problems, fmt.Sprintf("row %d: %v", i+2, err))
			continue
		}
		faqs = append(faqs, f)
	}
	return faqs, problems, nil
}

// answerEval holds the answer-level figures of an evaluation.
type answerEval struct {
	Report struct {
		AnsweredWithGoldCitation float64 `json:"answered_with_gold_citation"`
		DeclinedUnanswerable     float64 `json:"declined_unanswerable"`
		NumberFaithfulness       float64 `json:"number_faithfulness"`
		LatencyP50               float64 `json:"answer_latency_p50_ms"`
		LatencyP95               float64 `json:"answer_latency_p95_ms"`
		ReplyCharsP50            float64 `json:"reply_chars_p50"`
		ReplyCharsP95            float64 `json:"reply_chars_p95"`
	}
	Lines []string
}

func (a *app) evaluateAnswers(ctx context.Context, db *postgres.DB, ret *knowledge.Retriever, qs []eval.EvalQuestion, k int) (answerEval, error) {
	var ev answerEval
	ans := a.answererOn(db)
	ans.Retriever = ret // with the thresholds being measured
	ans.FAQ = nil       // the corpus alone is measured
	ans.K = k
	var answerable, gold, unanswerable, declined, replies, faithful float64
	var lat, chars []float64
	for _, q := range qs {
		r, err := ans.Answer(ctx, q.Question, "")
		if err != nil {
			return ev, fmt.Errorf("question %s: %w", q.ID, err)
		}
		chars = append(chars, float64(len([]rune(r.Text))))
		lat = append(lat, float64(r.Latency.Microseconds())/1000)
		citesGold := false
		for _, c := range r.Cited {
			if c.File == q.Doc {
				citesGold = true
			}
		}
		if q.Answerable {
			answerable++
			if r.Answered && citesGold {
				gold++
			}
		} else {
			unanswerable++
			if !r.Answered {
				declined++
			}
		}
		if r.Answered {
			replies++
			if bad := knowledge.UnsupportedNumbers(r.Body, r.Quoted); len(bad) == 0 {
				faithful++
			} else {
				ev.Lines = append(ev.Lines, fmt.Sprintf("number not in cited text: %s %v", q.ID, bad))
			}
		}
		ev.Lines = append(ev.Lines, fmt.Sprintf("%s answered=%v gold=%v source=%s chars=%d reason=%s", q.ID, r.Answered, citesGold, r.Source, len([]rune(r.Text)), r.Reason))
	}
	ratio := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return float64(int(a/b*10000+0.5)) / 10000
	}
	ev.Report.AnsweredWithGoldCitation = ratio(gold, answerable)
	ev.Report.DeclinedUnanswerable = ratio(declined, unanswerable)
	ev.Report.NumberFaithfulness = ratio(faithful, replies)
	ev.Report.LatencyP50 = eval.Percentile(lat, 50)
	ev.Report.LatencyP95 = eval.Percentile(lat, 95)
	ev.Report.ReplyCharsP50, ev.Report.ReplyCharsP95 = eval.Percentile(chars, 50), eval.Percentile(chars, 95)
	return ev, nil
}
