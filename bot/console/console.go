// Package console is the stdin/stdout channel: it simulates WeChat private
// and group chats on a terminal or from a script, through the same router
// and outbox as the real channels.
package console

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/incubot/incubot/bot"
)

// Channel is the console channel's name in the database.
const Channel = "console"

// Console reads one message per line and prints the replies. It answers
// inline: a reply is printed by the run that handled its message, never
// queued for a later run (which would print it into someone else's
// session).
type Console struct {
	Router  *bot.Router
	In      io.Reader
	Out     io.Writer
	User    string // the simulated sender
	Group   string // when set, messages go to this group and must @-mention the bot
	BotName string
	JSON    bool // one JSON object per reply: {"chat","to","text"}
	Prompt  bool // print a prompt before each line (interactive use)
	// Pace, when set, is the least time between two printed replies (the
	// interactive demo shows WeChat's pacing).
	Pace time.Duration

	// Files, when set, lets "/file PATH" send a file or photo as WeChat
	// would deliver it, stored there first; MaxFileSize bounds it.
	Files       FileStore
	MaxFileSize int64

	seq  int
	boot string
	last time.Time
}

// Run handles lines until the input ends or ctx is cancelled. Lines starting
// with "/" change the simulation: /user NAME, /group NAME, /private, /quit.
func (c *Console) Run(ctx context.Context) error {
	c.boot = time.Now().Format("20060102150405.000")
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
		var err error
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
		m := c.message(line)
		if path, ok := strings.CutPrefix(line, "/file "); ok && c.Files != nil {
			if m, err = c.fileMessage(ctx, strings.TrimSpace(path)); err != nil {
				fmt.Fprintln(c.Out, "console: "+err.Error())
				continue
			}
		} else if strings.HasPrefix(line, "/") {
			if c.control(line) {
				return nil
			}
			continue
		}
		replies, err := c.Router.Handle(ctx, m)
		if errors.Is(err, bot.ErrRetryLater) {
			replies, err = []bot.Reply{{ChatID: m.ChatID, To: m.SenderName, Text: bot.ReplyFailed}}, nil
		}
		if err != nil {
			return err
		}
		for _, r := range replies {
			if err := c.print(ctx, r); err != nil {
				return err
			}
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
		fmt.Fprintln(c.Out, "console: /user 名字, /group 群名, /private, /file 路径, /quit")
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

// print writes one reply in the parts WeChat would send. A failed write
// (a closed pipe) ends the run: the reply is stored with its message and is
// never printed into a later run.
func (c *Console) print(ctx context.Context, r bot.Reply) error {
	for _, part := range bot.SplitText(r.Text, bot.MaxPartRunes) {
		if d := time.Until(c.last.Add(c.Pace)); c.Pace > 0 && d > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(d):
			}
		}
		c.last = time.Now()
		var err error
		if c.JSON {
			err = json.NewEncoder(c.Out).Encode(map[string]string{"chat": r.ChatID, "to": r.To, "text": part})
		} else {
			_, err = fmt.Fprintf(c.Out, "%s → %s:\n%s\n\n", c.BotName, r.To, part)
		}
		if err != nil {
			return fmt.Errorf("console: cannot write the reply: %w", err)
		}
	}
	return nil
}
