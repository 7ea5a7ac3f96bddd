// Package console is the stdin/stdout channel: it simulates WeChat private
// and group chats on a terminal or from a script, through the same router
// and outbox as the real channels.
package console

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/incubot/incubot/bot"
)

// Channel is the console channel's name in the database.
const Channel = "console"

// Console reads one message per line and prints the replies.
type Console struct {
	Router  *bot.Router
	Store   bot.Store
	In      io.Reader
	Out     io.Writer
	User    string // the simulated sender
	Group   string // when set, messages go to this group and must @-mention the bot
	BotName string
	JSON    bool // one JSON object per reply: {"chat","to","text"}
	Prompt  bool // print a prompt before each line (interactive use)
	PerChat time.Duration
	Global  time.Duration

	seq  int
	to   string
	boot string
}

// Run handles lines until the input ends or ctx is cancelled. Lines starting
// with "/" change the simulation: /user NAME, /group NAME, /private, /quit.
func (c *Console) Run(ctx context.Context) error {
	c.boot = time.Now().Format("20060102150405.000")
	out := &bot.Outbox{Store: c.Store, Channel: Channel, Owner: "console-" + c.boot, Sender: c, PerChat: c.PerChat, Global: c.Global, Log: c.Router.Logger}
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(c.In)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
		close(lines)
	}()
	for {
		c.prompt()
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			if err := <-errc; err != nil {
				return err
			}
			return nil
		}
		if strings.HasPrefix(line, "/") {
			if c.control(line) {
				return nil
			}
			continue
		}
		m := c.message(line)
		c.to = m.SenderName
		if _, err := c.Router.Handle(ctx, m, false); err != nil {
			return err
		}
		if _, err := out.Flush(ctx); err != nil {
			return err
		}
	}
}

func (c *Console) prompt() {
	if !c.Prompt {
		return
	}
	where := "私聊"
	if c.Group != "" {
		where = "群「" + c.Group + "」"
	}
	fmt.Fprintf(c.Out, "%s·%s> ", c.User, where)
}

// control applies a /command; it returns true for /quit.
func (c *Console) control(line string) bool {
	cmd, arg, _ := strings.Cut(strings.TrimPrefix(line, "/"), " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "quit", "exit":
		return true
	case "user":
		if arg != "" {
			c.User = arg
		}
	case "group":
		if arg != "" {
			c.Group = arg
		}
	case "private":
		c.Group = ""
	default:
		fmt.Fprintln(c.Out, "console: /user 名字, /group 群名, /private, /quit")
	}
	return false
}

// message builds the message a WeChat user would send. In a group,
// "@name" followed by a space stands for a real mention.
func (c *Console) message(line string) bot.Message {
	c.seq++
	m := bot.Message{
		Channel: Channel, ID: fmt.Sprintf("%s-%d", c.boot, c.seq), Text: line, Time: time.Now(),
		SenderID: c.User, SenderName: c.User, ChatKind: bot.Private, ChatID: "private:" + c.User,
	}
	if c.Group != "" {
		m.ChatKind, m.ChatID, m.ChatTitle = bot.Group, "group:"+c.Group, c.Group
		mention := "@" + c.BotName
		m.Mentioned = c.BotName != "" && (strings.Contains(line, mention+" ") || strings.Contains(line, mention+"\u2005") || strings.TrimSpace(line) == mention)
	}
	return m
}

// Send implements bot.Sender by printing.
func (c *Console) Send(_ context.Context, chatID, chatKind, text string) error {
	if c.JSON {
		return json.NewEncoder(c.Out).Encode(map[string]string{"chat": chatID, "to": c.to, "text": text})
	}
	fmt.Fprintf(c.Out, "%s → %s:\n%s\n\n", c.BotName, c.to, text)
	return nil
}
