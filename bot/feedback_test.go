package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// 有用/没用 after an answer is recorded on the asker's own latest question,
// with the reason they give; a 没用 answer joins the unanswered questions
// officers see. Someone else's 没用 in the same group rates nothing of
// theirs, and 有用 with no question asked says how to use it.
func TestFeedbackOnTheAnswer(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	got := w.chat(t, "张三", "", "有用")
	if len(got) != 1 || !strings.Contains(got[0].Text, "没有找到您最近30分钟内的提问") {
		t.Fatalf("有用 before any question: %+v", got)
	}
	got = w.chat(t, "张三", "科技企业群", "@小助手 购买科技成果补助的比例是多少？\n@小助手 没用 引用的条款太笼统")
	if len(got) != 2 || !strings.Contains(got[1].Text, "已转给科技局工作人员核对") {
		t.Fatalf("没用 after an answer: %+v", got)
	}
	if got := w.chat(t, "李四", "科技企业群", "@小助手 有用"); len(got) != 1 || !strings.Contains(got[0].Text, "没有找到") {
		t.Fatalf("another member's 有用 rates nothing of theirs: %+v", got)
	}
	qs, err := w.db.Questions(ctx, time.Now().Add(-time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 1 || !qs[0].Answered || qs[0].Useful == nil || *qs[0].Useful || qs[0].Feedback != "引用的条款太笼统" {
		t.Fatalf("the answer rated 没用 is listed with the unanswered ones: %+v", qs)
	}
	if got := w.chat(t, "张三", "科技企业群", "@小助手 有用"); len(got) != 1 || !strings.HasSuffix(got[0].Text, "谢谢您的评价！") {
		t.Fatalf("changing one's mind: %+v", got)
	}
	if qs, _ := w.db.Questions(ctx, time.Now().Add(-time.Hour), true); len(qs) != 0 {
		t.Fatalf("an answer rated 有用 is not open: %+v", qs)
	}
}
