package main

import (
	"context"
	"time"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/knowledge"
)

// printExpiring lists, for doctor, the documents in force that expired or
// expire within knowledge.ExpiringDays: a warning (!), not a failed check.
func printExpiring(ctx context.Context, a *app, db *postgres.DB) {
	if db.CheckSchema(ctx) != nil {
		return
	}
	docs, err := db.Documents(ctx, false)
	if err != nil {
		a.printf("! documents: %s\n", firstLine(err.Error()))
		return
	}
	today := a.cfg.TodayDate()
	list := knowledge.Expiring(docs, today)
	if len(list) == 0 {
		a.printf("✓ no document expires within %d days (today %s)\n", knowledge.ExpiringDays, today.Format(time.DateOnly))
		return
	}
	a.printf("! %d document(s) expired or expire within %d days (today %s): renew with kb add, correct with kb edit --expires, or kb retire\n",
		len(list), knowledge.ExpiringDays, today.Format(time.DateOnly))
	for _, d := range list {
		a.printf("    %d  %s  %s\n", d.ID, d.ValidityOn(today), safe(d.Title))
	}
}

// expiryNotices tells the bound officers of the channels with an outbox,
// once a day (recorded in the database, so once across restarts and
// processes), which documents expired or expire soon. It looks every
// quarter hour, so a document added during the day is still announced.
func expiryNotices(ctx context.Context, a *app, db *postgres.DB, channels []string) {
	if len(channels) == 0 {
		return
	}
	for {
		day := a.cfg.TodayDate()
		if docs, err := db.Documents(ctx, false); err != nil {
			a.log.Warn("expiry notice: list documents", "err", err)
		} else if text := knowledge.ExpiryNotice(docs, day); text != "" {
			if n, err := db.DailyNotice(ctx, "expiry", day, channels, text); err != nil {
				a.log.Warn("expiry notice", "err", err)
			} else if n > 0 {
				a.log.Info("expiry notice queued", "officers", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(15 * time.Minute):
		}
	}
}
