package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/incubot/incubot/internal/incubator"
	"github.com/incubot/incubot/knowledge/corpus"
	"github.com/incubot/incubot/knowledge/zh"
	"github.com/jackc/pgx/v5"
)

// ConsoleSession is a signed-in browser: the hash of its cookie, the person
// and the CSRF token of its forms.
type ConsoleSession struct {
	TokenHash string
	PersonID  int64
	CSRF      string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

// SaveLoginLink stores a one-time sign-in link by the hash of its token.
func (db *DB) SaveLoginLink(ctx context.Context, tokenHash string, personID int64, expires time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO console_links (token_hash, person_id, expires_at) VALUES ($1::text, $2::bigint, $3::timestamptz)`,
		tokenHash, personID, expires)
	if err != nil {
		return fmt.Errorf("postgres: save login link: %w", err)
	}
	return nil
}

// UseLoginLink spends a link that is unused and unexpired at now and returns
// its person; any other link is ErrNotFound.
func (db *DB) UseLoginLink(ctx context.Context, tokenHash string, now time.Time) (int64, error) {
	var id int64
	err := db.pool.QueryRow(ctx, `UPDATE console_links SET used_at = $2::timestamptz
		WHERE token_hash = $1::text AND used_at IS NULL AND expires_at > $2::timestamptz RETURNING person_id`, tokenHash, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("login link: %w", ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: use login link: %w", err)
	}
	return id, nil
}

// PersonByID returns a person, revoked or not, or ErrNotFound.
func (db *DB) PersonByID(ctx context.Context, id int64) (PersonRecord, error) {
	p, err := scanPerson(db.pool.QueryRow(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN incubators i ON i.id = p.incubator_id WHERE p.id = $1::bigint`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("person %d: %w", id, ErrNotFound)
	}
	return p, err
}

// ActivePersonByName returns the active person of that name, or ErrNotFound
// (ErrConflict when two share it).
func (db *DB) ActivePersonByName(ctx context.Context, name string) (PersonRecord, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN incubators i ON i.id = p.incubator_id
		WHERE p.name = $1::text AND p.revoked_at IS NULL ORDER BY p.id`, name)
	if err != nil {
		return PersonRecord{}, fmt.Errorf("postgres: person %q: %w", name, err)
	}
	people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PersonRecord, error) { return scanPerson(r) })
	switch {
	case err != nil:
		return PersonRecord{}, err
	case len(people) == 0:
		return PersonRecord{}, fmt.Errorf("person %q: %w", name, ErrNotFound)
	case len(people) > 1:
		return PersonRecord{}, fmt.Errorf("person %q: %d people share the name: %w", name, len(people), ErrConflict)
	}
	return people[0], nil
}

// StartConsoleSession stores a new session.
func (db *DB) StartConsoleSession(ctx context.Context, s ConsoleSession) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO console_sessions (token_hash, person_id, csrf, created_at, last_seen, expires_at)
		VALUES ($1::text, $2::bigint, $3::text, $4::timestamptz, $5::timestamptz, $6::timestamptz)`,
		s.TokenHash, s.PersonID, s.CSRF, s.CreatedAt, s.LastSeen, s.ExpiresAt)
	if err != nil {
		return fmt.Errorf("postgres: start console session: %w", err)
	}
	return nil
}

// ConsoleSessionByHash returns a stored session, or ErrNotFound.
func (db *DB) ConsoleSessionByHash(ctx context.Context, tokenHash string) (ConsoleSession, error) {
	var s ConsoleSession
	err := db.pool.QueryRow(ctx, `SELECT token_hash, person_id, csrf, created_at, last_seen, expires_at FROM console_sessions WHERE token_hash = $1::text`,
		tokenHash).Scan(&s.TokenHash, &s.PersonID, &s.CSRF, &s.CreatedAt, &s.LastSeen, &s.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("console session: %w", ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("postgres: console session: %w", err)
	}
	return s, nil
}

// TouchConsoleSession records activity on a session.
func (db *DB) TouchConsoleSession(ctx context.Context, tokenHash string, now time.Time) error {
	_, err := db.pool.Exec(ctx, `UPDATE console_sessions SET last_seen = $2::timestamptz WHERE token_hash = $1::text`, tokenHash, now)
	if err != nil {
		return fmt.Errorf("postgres: touch console session: %w", err)
	}
	return nil
}

// EndConsoleSession deletes a session (sign-out, expiry), and every session
// that expired before now.
func (db *DB) EndConsoleSession(ctx context.Context, tokenHash string, now time.Time) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM console_sessions WHERE token_hash = $1::text OR expires_at < $2::timestamptz`, tokenHash, now)
	if err != nil {
		return fmt.Errorf("postgres: end console session: %w", err)
	}
	return nil
}

// FailedAttempts counts the failed sign-in attempts under key since a time.
func (db *DB) FailedAttempts(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM console_attempts WHERE key = $1::text AND at >= $2::timestamptz`, key, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: failed attempts: %w", err)
	}
	return n, nil
}

// RecordFailedAttempt records a failed sign-in attempt; attempts older than
// a day are forgotten.
func (db *DB) RecordFailedAttempt(ctx context.Context, key string, now time.Time) error {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM console_attempts WHERE at < $1::timestamptz - interval '1 day'`, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO console_attempts (key, at) VALUES ($1::text, $2::timestamptz)`, key, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: record attempt: %w", err)
	}
	return nil
}

// DocumentWithReason returns a document, whatever its status, and why it
// was retired (empty unless it was), or knowledge.ErrNotFound.
func (db *DB) DocumentWithReason(ctx context.Context, id int64) (*corpus.Document, string, error) {
	var reason string
	d, err := scanDoc(db.pool.QueryRow(ctx, `SELECT `+docColumns+`, d.end_reason FROM documents d WHERE d.id = $1::bigint`, id), &reason)
	if err != nil && !errors.Is(err, corpus.ErrNotFound) {
		return nil, "", fmt.Errorf("postgres: document %d: %w", id, err)
	}
	return d, reason, err
}

// DocumentEdit is what an officer may correct about a document.
type DocumentEdit struct {
	Title, DocNumber       string
	EffectiveOn, ExpiresOn *time.Time
}

// EditDocument corrects an active document's title, 文号 and dates; the
// title's tokens and the lexicon follow the new title.
func (db *DB) EditDocument(ctx context.Context, id int64, e DocumentEdit, a Actor) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var before DocumentEdit
		err := tx.QueryRow(ctx, `SELECT title, doc_number, effective_on, expires_on FROM documents WHERE id = $1::bigint AND status = 'active' FOR UPDATE`, id).
			Scan(&before.Title, &before.DocNumber, &before.EffectiveOn, &before.ExpiresOn)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("document %d is not active: %w", id, corpus.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("postgres: edit document %d: %w", id, err)
		}
		if err := lexiconRemove(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET title = $2::text, doc_number = $3::text, effective_on = $4::date, expires_on = $5::date,
			title_tokens = $6::text::tsvector WHERE id = $1::bigint`, id, e.Title, e.DocNumber, e.EffectiveOn, e.ExpiresOn,
			tsvectorLiteral(zh.Tokenize(e.Title))); err != nil {
			return fmt.Errorf("postgres: edit document %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO lexicon (term, df)
			SELECT word, ndoc FROM ts_stat('SELECT c.tokens || d.title_tokens FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.document_id = %d')
			ON CONFLICT (term) DO UPDATE SET df = lexicon.df + excluded.df`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, a, "edit", "document", strconv.FormatInt(id, 10), before, e)
	})
}

// RetireDocumentFor ends an active document with the officer's reason.
func (db *DB) RetireDocumentFor(ctx context.Context, id int64, reason string, a Actor) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE documents SET status = 'retired', ended_at = now(), end_reason = $2::text WHERE id = $1::bigint AND status = 'active'`, id, reason)
		if err != nil {
			return fmt.Errorf("postgres: retire document %d: %w", id, err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("document %d is not active: %w", id, corpus.ErrNotFound)
		}
		if err := lexiconRemove(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "retire", "document", strconv.FormatInt(id, 10),
			map[string]string{"status": corpus.StatusActive}, map[string]string{"status": corpus.StatusRetired, "reason": reason})
	})
}

// FAQByID returns one curated answer, or ErrNotFound.
func (db *DB) FAQByID(ctx context.Context, id int64) (corpus.FAQ, error) {
	var f corpus.FAQ
	err := db.pool.QueryRow(ctx, `SELECT id, question, answer, basis, created_by, created_at FROM faqs WHERE id = $1::bigint`, id).
		Scan(&f.ID, &f.Question, &f.Answer, &f.Basis, &f.CreatedBy, &f.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("faq %d: %w", id, ErrNotFound)
	}
	return f, err
}

// SaveFAQ adds a curated answer (ID 0) or changes one, and marks the
// questions it answers as handled, in one transaction.
func (db *DB) SaveFAQ(ctx context.Context, f *corpus.FAQ, handles []int64, a Actor) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		action := "edit"
		if f.ID == 0 {
			action = "add"
			if err := tx.QueryRow(ctx, `INSERT INTO faqs (question, answer, basis, created_by) VALUES ($1::text, $2::text, $3::text, $4::text)
				RETURNING id, created_at`, f.Question, f.Answer, f.Basis, a.Name).Scan(&f.ID, &f.CreatedAt); err != nil {
				return fmt.Errorf("postgres: add faq: %w", err)
			}
		} else {
			tag, err := tx.Exec(ctx, `UPDATE faqs SET question = $2::text, answer = $3::text, basis = $4::text WHERE id = $1::bigint`, f.ID, f.Question, f.Answer, f.Basis)
			if err != nil {
				return fmt.Errorf("postgres: edit faq: %w", err)
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("faq %d: %w", f.ID, ErrNotFound)
			}
		}
		if err := handle(ctx, tx, handles, a); err != nil {
			return err
		}
		return audit(ctx, tx, a, action, "faq", strconv.FormatInt(f.ID, 10), nil, map[string]string{"question": f.Question, "answer": f.Answer, "basis": f.Basis})
	})
}

// DeleteFAQ removes a curated answer, audited.
func (db *DB) DeleteFAQ(ctx context.Context, id int64, a Actor) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var q string
		err := tx.QueryRow(ctx, `DELETE FROM faqs WHERE id = $1::bigint RETURNING question`, id).Scan(&q)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("faq %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("postgres: remove faq: %w", err)
		}
		return audit(ctx, tx, a, "remove", "faq", strconv.FormatInt(id, 10), map[string]string{"question": q}, nil)
	})
}

// OpenQuestions lists declined questions, and answers their asker said did
// not help, that nobody has handled yet, newest first, at most limit.
func (db *DB) OpenQuestions(ctx context.Context, limit int) ([]QuestionLog, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+questionColumns+`
		FROM questions WHERE (NOT answered OR useful = false) AND handled_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $1::int`, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: open questions: %w", err)
	}
	return pgx.CollectRows(rows, scanQuestion)
}

// HandleQuestions marks questions as handled by an officer.
func (db *DB) HandleQuestions(ctx context.Context, ids []int64, a Actor) error {
	return db.inTx(ctx, func(tx pgx.Tx) error { return handle(ctx, tx, ids, a) })
}

func handle(ctx context.Context, tx pgx.Tx, ids []int64, a Actor) error {
	if len(ids) == 0 {
		return nil
	}
	tag, err := tx.Exec(ctx, `UPDATE questions SET handled_at = now(), handled_by = $2::text WHERE id = ANY($1::bigint[]) AND handled_at IS NULL`, ids, a.Name)
	if err != nil {
		return fmt.Errorf("postgres: handle questions: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	return audit(ctx, tx, a, "handle", "question", fmt.Sprint(ids), nil, nil)
}

// Exchange is one logged message with the bot's answer to it, if it was a
// question.
type Exchange struct {
	ID         int64
	Channel    string
	ChatKind   string
	ChatTitle  string
	SenderName string
	Body       string
	At         time.Time
	Answer     string
	Answered   *bool
}

// Conversations lists logged messages newest first, before the message id
// before (0: the newest), those whose text or answer contains query when
// it is not empty, at most limit.
func (db *DB) Conversations(ctx context.Context, query string, before int64, limit int) ([]Exchange, error) {
	rows, err := db.pool.Query(ctx, `SELECT m.id, m.channel, m.chat_kind, m.chat_title, m.sender_name, m.body, m.sent_at, coalesce(q.answer, ''), q.answered
		FROM messages m LEFT JOIN LATERAL (SELECT answer, answered FROM questions WHERE message_id = m.id LIMIT 1) q ON true
		WHERE ($1::bigint = 0 OR m.id < $1::bigint)
		  AND ($2::text = '' OR strpos(m.body, $2::text) > 0 OR strpos(m.sender_name, $2::text) > 0 OR strpos(m.chat_title, $2::text) > 0
		       OR m.id IN (SELECT message_id FROM questions WHERE strpos(answer, $2::text) > 0 AND message_id IS NOT NULL))
		ORDER BY m.id DESC LIMIT $3::int`, before, query, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: conversations: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Exchange, error) {
		var e Exchange
		err := r.Scan(&e.ID, &e.Channel, &e.ChatKind, &e.ChatTitle, &e.SenderName, &e.Body, &e.At, &e.Answer, &e.Answered)
		return e, err
	})
}

// Incubators lists every incubator by name.
func (db *DB) Incubators(ctx context.Context) ([]incubator.Incubator, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, name, operator FROM incubators ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("postgres: incubators: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.Incubator, error) {
		var i incubator.Incubator
		err := r.Scan(&i.ID, &i.Name, &i.Operator)
		return i, err
	})
}

// AssetByID returns one asset, or ErrNotFound.
func (db *DB) AssetByID(ctx context.Context, id int64) (incubator.Asset, error) {
	a, err := scanAsset(db.pool.QueryRow(ctx, `SELECT `+assetColumns+` FROM assets a JOIN incubators i ON i.id = a.incubator_id WHERE a.id = $1::bigint`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("asset %d: %w", id, ErrNotFound)
	}
	return a, err
}

// AssetHistory lists an asset's reports, oldest first.
func (db *DB) AssetHistory(ctx context.Context, assetID int64) ([]incubator.AssetReport, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+reportColumns+` FROM asset_reports r JOIN assets a ON a.id = r.asset_id JOIN incubators i ON i.id = a.incubator_id
		WHERE r.asset_id = $1::bigint ORDER BY r.id`, assetID)
	if err != nil {
		return nil, fmt.Errorf("postgres: asset history: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (incubator.AssetReport, error) { return scanReport(r) })
}

// AssetReportByID returns one asset report, or ErrNotFound.
func (db *DB) AssetReportByID(ctx context.Context, id int64) (incubator.AssetReport, error) {
	r, err := scanReport(db.pool.QueryRow(ctx, `SELECT `+reportColumns+` FROM asset_reports r JOIN assets a ON a.id = r.asset_id JOIN incubators i ON i.id = a.incubator_id
		WHERE r.id = $1::bigint`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("asset report %d: %w", id, ErrNotFound)
	}
	return r, err
}

// AuditFilter narrows the audit log: each non-empty field must match.
type AuditFilter struct {
	Since, Until          time.Time
	Actor, Action, Entity string
	Limit                 int
}

// AuditLog lists audit entries newest first.
func (db *DB) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, at, actor, role, channel, action, entity, entity_id, coalesce(before::text, ''), coalesce(after::text, '')
		FROM audit_log WHERE at >= $1::timestamptz AND at < $2::timestamptz
		  AND ($3::text = '' OR actor = $3::text) AND ($4::text = '' OR action LIKE $4::text || '%') AND ($5::text = '' OR entity = $5::text)
		ORDER BY id DESC LIMIT $6::int`, f.Since, f.Until, f.Actor, f.Action, f.Entity, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Role, &e.Channel, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After)
		return e, err
	})
}
