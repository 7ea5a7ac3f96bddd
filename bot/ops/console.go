package ops

import (
	"context"
	"errors"
	"strconv"

	"github.com/incubot/incubot/bot"
)

// ErrNotStaff is what ConsoleLink returns for someone who may not sign in.
var ErrNotStaff = errors.New("ops: not an officer or manager")

// consoleLink answers 后台: a one-time sign-in link to the web console for
// the bound officer or manager who asked. The router runs role commands in
// private chats only, so the link is never posted in a group.
func (o *Ops) consoleLink(ctx context.Context, req *bot.Request) (string, error) {
	if o.ConsoleLink == nil {
		return "", bot.Userf("网页后台没有开启：请管理员用 incubot serve --http 地址 启动服务后再发“后台”。")
	}
	link, minutes, err := o.ConsoleLink(ctx, req.Person.ID)
	if errors.Is(err, ErrNotStaff) {
		return "", bot.Userf("只有已绑定的工作人员和孵化器管理员可以登录网页后台。")
	}
	if err != nil {
		return "", err
	}
	return "网页后台登录链接（" + strconv.Itoa(minutes) + "分钟内有效，只能用一次，请勿转发）：\n" + link, nil
}
