package ops_test

import (
	"context"
	"strings"
	"testing"

	"github.com/incubot/incubot/bot/ops"
)

// 后台 gives a bound officer or manager a sign-in link in a private chat,
// refuses everyone else, and says so plainly when no console is served.
func TestConsoleLinkInChat(t *testing.T) {
	w := newWorld(t)
	if got := w.say(t, "王经理", "后台"); !strings.Contains(got[0], "没有开启") {
		t.Fatalf("no console served: %q", got)
	}

	var asked []int64
	w.ops.ConsoleLink = func(ctx context.Context, personID int64) (string, int, error) {
		asked = append(asked, personID)
		return "http://127.0.0.1:8080/console/login/tok", 15, nil
	}
	got := w.say(t, "王经理", "后台")
	if !strings.Contains(got[0], "/console/login/tok") || !strings.Contains(got[0], "15分钟") {
		t.Fatalf("a bound manager: %q", got)
	}
	if got := w.say(t, "路人甲", "后台"); strings.Contains(got[0], "/console/") || len(asked) != 1 {
		t.Fatalf("an enterprise user got a link: %q (asked %v)", got, asked)
	}

	w.ops.ConsoleLink = func(ctx context.Context, personID int64) (string, int, error) {
		return "", 0, ops.ErrNotStaff
	}
	if got := w.say(t, "李科长", "后台"); !strings.Contains(got[0], "只有已绑定的工作人员") {
		t.Fatalf("a revoked officer: %q", got)
	}
}
