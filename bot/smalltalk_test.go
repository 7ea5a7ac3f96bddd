package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Greetings, thanks and acknowledgements get a short friendly reply: they
// are not answered with policy clauses as follow-ups, not logged as
// questions, and leave the topic of the real question in place.
func TestSmallTalkIsNotAQuestion(t *testing.T) {
	w := newWorld(t)
	got := w.chat(t, "张三", "", "购买科技成果补助的比例是多少？\n谢谢\n你好\n0\n那需要提交什么材料？")
	if len(got) != 5 {
		t.Fatalf("want one reply per message, got %+v", got)
	}
	for i := 1; i <= 3; i++ {
		if strings.Contains(got[i].Text, "第") || strings.Contains(got[i].Text, "问题已记录") || len([]rune(got[i].Text)) > 60 {
			t.Errorf("reply %d to small talk: %q", i+1, got[i].Text)
		}
	}
	if !strings.Contains(got[4].Text, "第九条") {
		t.Errorf("the follow-up keeps the earlier topic: %q", got[4].Text)
	}
	qs, err := w.db.Questions(context.Background(), time.Now().Add(-time.Hour), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.Question == "谢谢" || q.Question == "你好" || q.Question == "0" {
			t.Errorf("small talk logged as a question: %+v", q)
		}
	}
}

// A question that points back at something (那第二个条件…) with no earlier
// question is asked to be put in full: no clause is quoted as a guess, and
// it is not logged as a question the corpus could not answer.
func TestAQuestionPointingBackAtNothingIsAskedInFull(t *testing.T) {
	w := newWorld(t)
	got := w.chat(t, "李四", "", "那第二个条件具体怎么理解？")
	if len(got) != 1 || strings.Contains(got[0].Text, "——《") || !strings.Contains(got[0].Text, "说完整") {
		t.Fatalf("want a request to put the question in full: %+v", got)
	}
	qs, err := w.db.Questions(context.Background(), time.Now().Add(-time.Hour), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if strings.Contains(q.Question, "第二个条件") {
			t.Errorf("logged as a question: %+v", q)
		}
	}
}
