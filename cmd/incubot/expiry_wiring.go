package main

import (
	"context"
	"time"

	"github.com/incubot/incubot/internal/postgres"
	"github.com/incubot/incubot/knowledge"
	"github.com/incubot/incubot/knowledge/corpus"
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
	list := corpus.Expiring(docs, today)
	if len(list) == 0 {
		a.printf("✓ no document expires within %d days (today %s)\n", corpus.ExpiringDays, today.Format(time.DateOnly))
		return
	}
	a.printf("! %d document(s) expired or expire within %d days (today %s): renew with kb add, correct with kb edit --expires, or kb retire\n",
		len(list), corpus.ExpiringDays, today.Format(time.DateOnly))
	for _, d := range list {
		a.printf("    %d  %s  %s\n", d.ID, d.ValidityOn(today), safe(d.Title))
	}
}

// receivedFilesKept is how long a file received in chat is kept when no
// asset report keeps it.
const receivedFilesKept = 7 * 24 * time.Hour

// dailyChores tells the bound officers of the channels with an outbox,
// once a day (recorded in the database, so once across restarts and
// processes), which documents expired or expire soon, and deletes files
// received in chat that nothing keeps. It looks every quarter hour, so a
// document added during the day is still announced.
func dailyChores(ctx context.Context, a *app, db *postgres.DB, channels []string) {
	for {
		if n, err := db.PurgeReceivedFiles(ctx, time.Now().Add(-receivedFilesKept)); err != nil {
			a.log.Warn("purge received files", "err", err)
		} else if n > 0 {
			a.log.Info("received files purged", "count", n)
		}
		if len(channels) > 0 {
			expiryNotice(ctx, a, db, channels)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(15 * time.Minute):
		}
	}
}

// expiryNotice queues today's expiry notice to the officers unless it went
// out already.
func expiryNotice(ctx context.Context, a *app, db *postgres.DB, channels []string) {
	day := a.cfg.TodayDate()
	docs, err := db.Documents(ctx, false)
	if err != nil {
		a.log.Warn("expiry notice: list documents", "err", err)
		return
	}
	text := knowledge.ExpiryNotice(docs, day)
	if text == "" {
		return
	}
	if n, err := db.DailyNotice(ctx, "expiry", day, channels, text); err != nil {
		a.log.Warn("expiry notice", "err", err)
	} else if n > 0 {
		a.log.Info("expiry notice queued", "officers", n)
	}
}

// printExpiredNote says, under a search that found nothing, that documents
// past their expiry date are not searched (the bot then names the one that
// would have answered).
func printExpiredNote(ctx context.Context, a *app, db *postgres.DB) {
	docs, err := db.Documents(ctx, false)
	if err != nil {
		return
	}
	today := a.cfg.TodayDate()
	n := 0
	for _, d := range docs {
		if d.ValidityOn(today).Kind == corpus.ValidityExpired {
			n++
		}
	}
	if n > 0 {
		a.printf("%d document(s) expired before today (%s) and are not searched: incubot kb list shows them; renew, correct (kb edit --expires) or retire them\n", n, today.Format(time.DateOnly))
	}
}
