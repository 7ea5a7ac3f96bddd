package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/bot/console"
	"github.com/incubot/incubot/bot/httpapi"
	"github.com/incubot/incubot/bot/kf"
	"github.com/incubot/incubot/bot/ops"
	"github.com/incubot/incubot/bot/wechat"
	"github.com/incubot/incubot/bot/wecom"
	"github.com/incubot/incubot/internal/devdb"
	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/knowledge"
	"golang.org/x/term"
)

// The store serves every consumer's own interface.
var (
	_ bot.Store          = (*postgres.DB)(nil)
	_ bot.QuestionLogger = (*postgres.DB)(nil)
	_ bot.People         = (*postgres.DB)(nil)
	_ bot.Codes          = (*postgres.DB)(nil)
	_ ops.Store          = (*postgres.DB)(nil)
)

// router wires the bot to the database, the answerer and the incubator
// operations.
func (a *app) router(db *postgres.DB, metrics *bot.Metrics) *bot.Router {
	r := bot.NewRouter(db, a.answererOn(db), db, db, a.people(db), a.log, bot.Options{
		BotName: a.cfg.BotName, Groups: a.cfg.Groups, MaxMessageLen: a.cfg.MaxMessageLen,
		MaxAge: a.cfg.MaxMessageAge, ContextTTL: a.cfg.ContextTTL, FormTTL: a.cfg.FormTTL,
		Lease: a.cfg.HandlingLease, Today: a.cfg.TodayDate,
	})
	r.Metrics = metrics
	r.Codes = db
	a.addIncubatorCommands(r, db)
	return r
}

const demoGuide = `incubot 演示：模拟微信对话（与微信通道同一套路由、数据库和发送队列）
示例政策库：XX区企业购买科技成果补助暂行办法、XX区支持高新技术企业发展暂行办法。

可以试试：
  购买科技成果补助的比例是多少？        → 引用第六条原文并注明出处
  那需要提交什么材料？                  → 追问，沿用上一个问题的主题
  专精特新小巨人怎么申报？              → 政策库没有，如实告知并记录
  帮助 / 政策列表 / 原文 购买科技成果补助 第九条
孵化器资产演示（创客城，运营方柳州爱创孵化器有限公司，101项资产）：
  2021年1月盘点发现33项缺失，原值¥2,114,600.00；2月发出赔偿通知
  柳鱼科字〔2021〕3号；已补齐核验20项，补齐待核验5项，仍缺失8项。
  /user 王经理      切换为已绑定的孵化器管理员
  缺失 CKC-019 二楼培训室投影仪找不到    资产缺失报送（回复 1 确认）
  /user 李科长      切换为科技局工作人员
  资产汇总 / 赔偿跟踪 / 待核验 / 核验 <报告号> 通过 已到现场核对
  盘点 开始 创客城  发起新一轮盘点；王经理：盘点 → 盘点 1 → 在 1-3、缺 4
  /file 路径        发送一个文件（如政策文件 .docx/.pdf，回复 1 入库；管理员报送后发照片）
群聊：/group 区科技企业服务群，然后 @%s 购买科技成果补助比例是多少
退出：Ctrl-D 或 /quit
`

func cmdChat(ctx context.Context, a *app, args []string) error {
	fs := newFlags("chat", a)
	user := fs.String("user", "张三", "simulated sender name")
	group := fs.String("group", "", "simulate this group chat (messages must @-mention the bot)")
	asJSON := fs.Bool("json", false, "print one JSON object per reply: {\"chat\",\"to\",\"text\"}")
	noLimit := fs.Bool("no-rate-limit", false, "send replies at once (the rate limits are for WeChat)")
	demo := fs.Bool("demo", false, "load the sample corpus and demo data first, and print a guide")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	interactive := false
	if f, ok := a.stdin.(*os.File); ok {
		interactive = term.IsTerminal(int(f.Fd()))
	}
	if *demo {
		if err := a.loadDemo(ctx, db, !interactive); err != nil {
			return err
		}
		if err := a.demoConsole(ctx, db); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, demoGuide, a.cfg.BotName)
	}
	c := &console.Console{
		Router: a.router(db, nil), In: a.stdin, Out: a.stdout, User: *user, Group: *group,
		BotName: a.cfg.BotName, JSON: *asJSON, Prompt: interactive && !*asJSON,
		Files: db, MaxFileSize: a.cfg.MaxUploadSize,
	}
	if !*noLimit && interactive {
		c.Pace = a.cfg.ChatInterval
	}
	return c.Run(ctx)
}

// loadDemo indexes the sample corpus and FAQ and loads the incubator demo
// data; each step is skipped when already done.
func (a *app) loadDemo(ctx context.Context, db *postgres.DB, quiet bool) error {
	dir := filepath.Join(filepath.Dir(a.cfg.DevDBDir), "sample")
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("the sample corpus is not at %s (run from the repository root, or set INCUBOT_DEVDB_DIR)", dir)
	}
	sum, results, err := a.addFiles(ctx, a.kbOn(db), []string{filepath.Join(dir, "policies")}, knowledge.AddOptions{}, true)
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Err != nil {
			return fmt.Errorf("sample corpus: %s: %w", r.Path, r.Err)
		}
	}
	faqs, err := db.FAQs(ctx)
	if err != nil {
		return err
	}
	if len(faqs) == 0 {
		list, problems, err := readFAQSheet(filepath.Join(dir, "faq.csv"))
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return fmt.Errorf("sample FAQ: %v", problems)
		}
		if err := db.AddFAQs(ctx, list); err != nil {
			return err
		}
	}
	if err := a.loadIncubatorDemo(ctx, db); err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(a.stderr, "demo data ready (%d new policy documents)\n", sum.Added+sum.Replaced)
	}
	return nil
}

func cmdServe(ctx context.Context, a *app, args []string) error {
	fs := newFlags("serve", a)
	addr := fs.String("http", a.cfg.HTTPAddr, "serve the HTTP API on this address, e.g. 127.0.0.1:8080")
	wechatOn := fs.Bool("wechat", false, "log in to WeChat and answer there")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	wecomOn := a.cfg.WeComBotID != ""
	if *addr == "" && !*wechatOn && !wecomOn {
		return usagef("serve needs --http ADDR, --wechat, INCUBOT_WECOM_BOT_ID (the WeCom smart bot), or several")
	}
	if *addr != "" && a.cfg.HTTPToken == "" {
		return usagef("the HTTP API needs INCUBOT_HTTP_TOKEN (at least 16 characters)")
	}
	db, err := a.db(ctx)
	if err != nil {
		return err
	}
	metrics := bot.NewMetrics()
	metrics.OutboxLen = func() int { n, _ := db.OutboxDepth(context.Background()); return n }
	router := a.router(db, metrics)
	var w *wechat.WeChat
	if *wechatOn {
		w = a.newWeChat(db, router, metrics)
	}
	var wc *wecom.Bot
	if wecomOn {
		wc = a.newWeCom(db, router, metrics)
	}
	var k *kf.KF
	if a.cfg.KFCorpID != "" {
		if *addr == "" {
			return usagef("微信客服 (INCUBOT_KF_CORP_ID) needs the HTTP API (--http ADDR): WeCom calls %s there", kfPath)
		}
		k = a.newKF(db, router, metrics)
	}
	// The embedded database is restarted when it dies; when it cannot come
	// back, serve exits non-zero so that the service manager acts.
	dbDown := make(<-chan error)
	var embedded func() string
	if a.server != nil {
		a.sup = devdb.Supervise(ctx, a.server, &devdb.Supervisor{Log: a.log})
		dbDown, embedded = a.sup.Failed(), a.sup.State
	}

	// Intake stops when ctx ends; the outbox gets a grace period to drain.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 4)
	running := 0
	var srv *http.Server
	if *addr != "" {
		api := &httpapi.Server{Router: router, Token: a.cfg.HTTPToken, Health: db.Ping, Embedded: embedded, Metrics: metrics, Log: a.log, MaxSkew: a.cfg.MaxMessageAge}
		srv = &http.Server{Handler: withKF(k, a.withConsole(db, api.Handler(), *addr)), ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return fmt.Errorf("cannot listen on %s: %w", *addr, err)
		}
		a.log.Info("HTTP API listening", "addr", ln.Addr().String())
		running++
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
				return
			}
			errc <- nil
		}()
	}
	if w != nil {
		running++
		go func() { errc <- w.Run(ctx) }()
	}
	if wc != nil {
		running++
		go func() { errc <- wc.Run(ctx) }()
	}
	if k != nil {
		running++
		go func() { errc <- k.Run(ctx) }()
	}
	go recoverLoop(ctx, a, router)
	go dailyChores(ctx, a, db, router.Opts.Outboxes)
	var first error
	select {
	case <-ctx.Done():
	case first = <-errc:
		running--
	case first = <-dbDown:
		a.log.Error("the embedded database cannot be brought back; stopping so that the service manager restarts incubot", "err", first)
	}
	cancel()
	a.log.Info("shutting down: intake stopped, draining")
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		srv.Shutdown(sctx)
		cancel()
	}
	for ; running > 0; running-- {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// recoverLoop handles again, at start and then every quarter lease, the
// messages of channels with an outbox that a crash or a failure left
// unanswered. Inline channels (HTTP) are handled again only when their
// sender retries the id: nobody would read an answer sent later.
func recoverLoop(ctx context.Context, a *app, r *bot.Router) {
	every := max(r.Opts.Lease/4, time.Second)
	for {
		for _, ch := range r.Opts.Outboxes {
			if n, err := r.Recover(ctx, ch); err != nil {
				a.log.Warn("recover messages", "channel", ch, "err", err)
			} else if n > 0 {
				a.log.Info("recovered messages", "channel", ch, "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
