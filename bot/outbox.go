package bot

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxPartRunes is the longest single message sent; longer replies are split
// at paragraph boundaries (web WeChat sends nothing longer reliably).
const MaxPartRunes = 1500

// Sender delivers one text to one chat on a channel.
type Sender interface {
	Send(ctx context.Context, chatID, chatKind, text string) error
}

// Outbox sends queued replies of one channel: in order per chat, with at
// least PerChat between sends to one chat and Global between any two sends,
// plus jitter, so that the account is not flagged for flooding.
type Outbox struct {
	Store   Store
	Channel string
	Owner   string // this process, for the claim lease
	Sender  Sender
	PerChat time.Duration
	Global  time.Duration
	Log     *slog.Logger

	lastSend time.Time
	lastChat map[string]time.Time
	sleep    func(context.Context, time.Duration) error
}

func (o *Outbox) init() {
	if o.lastChat == nil {
		o.lastChat = map[string]time.Time{}
	}
	if o.sleep == nil {
		o.sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Run sends until ctx ends, polling the queue.
func (o *Outbox) Run(ctx context.Context, poll time.Duration) {
	o.init()
	for {
		n, err := o.Flush(ctx)
		if err != nil && ctx.Err() == nil {
			o.Log.Error("outbox", "err", err)
		}
		if ctx.Err() != nil {
			return
		}
		if n == 0 {
			if o.sleep(ctx, poll) != nil {
				return
			}
		}
	}
}

// Flush sends everything queued now and returns how many replies it sent.
func (o *Outbox) Flush(ctx context.Context) (int, error) {
	o.init()
	sent := 0
	for {
		batch, err := o.Store.ClaimOutbox(ctx, o.Channel, o.Owner, 20, 2*time.Minute)
		if err != nil {
			return sent, err
		}
		if len(batch) == 0 {
			return sent, nil
		}
		for _, m := range batch {
			if err := o.deliver(ctx, m); err != nil {
				if ctx.Err() != nil {
					return sent, ctx.Err()
				}
				final := m.Attempts+1 >= 5
				o.Log.Warn("send failed", "chat", m.ChatID, "attempt", m.Attempts+1, "final", final, "err", err)
				if err := o.Store.MarkSendFailed(ctx, m.ID, err.Error(), final); err != nil {
					return sent, err
				}
				continue
			}
			if err := o.Store.MarkSent(ctx, m.ID); err != nil {
				return sent, err
			}
			sent++
		}
	}
}

func (o *Outbox) deliver(ctx context.Context, m Outgoing) error {
	for _, part := range SplitText(m.Text, MaxPartRunes) {
		if err := o.wait(ctx, m.ChatID); err != nil {
			return err
		}
		if err := o.Sender.Send(ctx, m.ChatID, m.ChatKind, part); err != nil {
			return err
		}
		now := time.Now()
		o.lastSend, o.lastChat[m.ChatID] = now, now
	}
	return nil
}

// wait holds the send until both rate limits allow it.
func (o *Outbox) wait(ctx context.Context, chat string) error {
	if o.PerChat <= 0 && o.Global <= 0 {
		return nil
	}
	next := o.lastSend.Add(o.Global)
	if t := o.lastChat[chat].Add(o.PerChat); t.After(next) {
		next = t
	}
	d := time.Until(next)
	if d > 0 {
		d += time.Duration(rand.Int64N(int64(d)/4 + 1))
		return o.sleep(ctx, d)
	}
	return nil
}

// SplitText cuts text into parts of at most max runes, at paragraph breaks,
// else line breaks, else sentence ends; it numbers the parts (1/3).
func SplitText(text string, max int) []string {
	if utf8.RuneCountInString(text) <= max {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			parts = append(parts, s)
		}
		cur.Reset()
	}
	budget := max - 8 // room for the part number
	for _, piece := range pieces(text, budget) {
		if utf8.RuneCountInString(cur.String())+utf8.RuneCountInString(piece) > budget {
			flush()
		}
		cur.WriteString(piece)
	}
	flush()
	if len(parts) > 1 {
		for i := range parts {
			parts[i] = fmt.Sprintf("(%d/%d)\n%s", i+1, len(parts), parts[i])
		}
	}
	return parts
}

// pieces breaks text into units no longer than max, keeping separators.
func pieces(text string, max int) []string {
	var out []string
	for _, para := range strings.SplitAfter(text, "\n") {
		if utf8.RuneCountInString(para) <= max {
			out = append(out, para)
			continue
		}
		var sent strings.Builder
		for _, r := range para {
			sent.WriteRune(r)
			if strings.ContainsRune("。！？；!?;", r) || utf8.RuneCountInString(sent.String()) >= max {
				out = append(out, sent.String())
				sent.Reset()
			}
		}
		if sent.Len() > 0 {
			out = append(out, sent.String())
		}
	}
	return out
}
