package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/incubot/incubot/internal/model"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PersonRecord is a person as stored.
type PersonRecord = model.PersonRecord

const personColumns = `p.id, p.name, p.role, p.incubator_id, coalesce(i.name, ''), p.channel, p.contact_key, p.contact_name, p.chat_id, p.invited_by, p.invite_expires, p.bound_at, p.revoked_at`

func scanPerson(row pgx.Row) (PersonRecord, error) {
	var p PersonRecord
	err := row.Scan(&p.ID, &p.Name, &p.Role, &p.IncubatorID, &p.Incubator, &p.Channel, &p.ContactKey, &p.ContactName, &p.ChatID, &p.InvitedBy, &p.InviteExpires, &p.BoundAt, &p.RevokedAt)
	return p, err
}

// Invite creates a person with a one-time binding code (stored hashed), or
// gives an existing active person of that name and role a new code, so that
// a lost binding can be made again. invitedBy is the officer who issued it,
// told should the code leak (nil: every bound officer is told).
func (db *DB) Invite(ctx context.Context, name, role string, incubatorID *int, codeHash string, expires time.Time, invitedBy *int64, a Actor) (PersonRecord, error) {
	var p PersonRecord
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM people WHERE name = $1::text AND role = $2::text AND revoked_at IS NULL
			AND incubator_id IS NOT DISTINCT FROM $3::int`, name, role, incubatorID).Scan(&id)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			err = tx.QueryRow(ctx, `INSERT INTO people (name, role, incubator_id, invite_hash, invite_expires, invited_by)
				VALUES ($1::text, $2::text, $3::int, $4::text, $5::timestamptz, $6::bigint) RETURNING id`, name, role, incubatorID, codeHash, expires, invitedBy).Scan(&id)
		case err == nil:
			_, err = tx.Exec(ctx, `UPDATE people SET invite_hash = $2::text, invite_expires = $3::timestamptz, invited_by = $4::bigint WHERE id = $1::bigint`, id, codeHash, expires, invitedBy)
		}
		if err != nil {
			return err
		}
		p, err = scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN incubators i ON i.id = p.incubator_id WHERE p.id = $1::bigint`, id))
		if err != nil {
			return err
		}
		return audit(ctx, tx, a, "invite", "person", fmt.Sprint(id), nil, map[string]any{"name": name, "role": role, "incubator": p.Incubator})
	})
	if err != nil {
		return p, fmt.Errorf("postgres: invite %s: %w", name, err)
	}
	return p, nil
}

// Invitation is the person a code in force belongs to, or ErrNotFound.
func (db *DB) Invitation(ctx context.Context, codeHash string, now time.Time) (PersonRecord, error) {
	p, err := scanPerson(db.pool.QueryRow(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN incubators i ON i.id = p.incubator_id
		WHERE p.invite_hash = $1::text AND p.revoked_at IS NULL AND p.invite_expires > $2::timestamptz`, codeHash, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("postgres: invitation: %w", ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("postgres: invitation: %w", err)
	}
	return p, nil
}

// Bind uses a binding code: the person is now the contact contactKey on
// that channel, reached privately at chatID. It fails with ErrNotFound for
// an unknown, used or expired code, and ErrConflict when this contact is
// already bound to someone else.
func (db *DB) Bind(ctx context.Context, codeHash, channel, contactKey, contactName, chatID string, now time.Time) (PersonRecord, error) {
	var p PersonRecord
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		p, err = scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN incubators i ON i.id = p.incubator_id
			WHERE p.invite_hash = $1::text AND p.revoked_at IS NULL AND p.invite_expires > $2::timestamptz FOR UPDATE OF p`, codeHash, now))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		before := map[string]any{"channel": p.Channel, "contact": p.ContactKey}
		if _, err := tx.Exec(ctx, `UPDATE people SET channel = $2::text, contact_key = $3::text, contact_name = $4::text, chat_id = $5::text,
			bound_at = $6::timestamptz, invite_hash = NULL, invite_expires = NULL WHERE id = $1::bigint`, p.ID, channel, contactKey, contactName, chatID, now); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" {
				return ErrConflict
			}
			return err
		}
		p.Channel, p.ContactKey, p.ContactName, p.ChatID = channel, contactKey, contactName, chatID
		return audit(ctx, tx, Actor{Name: p.Name, Role: p.Role, Channel: channel}, "bind", "person", fmt.Sprint(p.ID), before, map[string]any{"channel": channel, "contact": contactKey})
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrConflict) {
		return p, fmt.Errorf("postgres: bind: %w", err)
	}
	return p, err
}

// PersonByContact finds the active person bound to a contact, or ErrNotFound.
func (db *DB) PersonByContact(ctx context.Context, channel, contactKey string) (PersonRecord, error) {
	p, err := scanPerson(db.pool.QueryRow(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN incubators i ON i.id = p.incubator_id
		WHERE p.channel = $1::text AND p.contact_key = $2::text AND p.contact_key <> '' AND p.revoked_at IS NULL`, channel, contactKey))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

// Lookup implements bot.People: a contact bound on the message's channel
// has that person's role; everyone else is an enterprise user.
func (db *DB) Lookup(ctx context.Context, m *model.Message) (model.Person, error) {
	p, err := db.PersonByContact(ctx, m.Channel, m.SenderID)
	if errors.Is(err, ErrNotFound) {
		return model.Person{Name: m.SenderName, Role: model.RoleEnterprise}, nil
	}
	if err != nil {
		return model.Person{}, fmt.Errorf("postgres: person of %s: %w", m.SenderID, err)
	}
	out := model.Person{ID: p.ID, Name: p.Name, Role: p.Role, Incubator: p.Incubator}
	if p.IncubatorID != nil {
		out.IncubatorID = *p.IncubatorID
	}
	return out, nil
}

// People lists everyone invited, active first.
func (db *DB) People(ctx context.Context) ([]PersonRecord, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN incubators i ON i.id = p.incubator_id ORDER BY p.revoked_at IS NOT NULL, p.id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: people: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PersonRecord, error) { return scanPerson(r) })
}

// PersonByName finds the active person of that name and role, or
// ErrNotFound (ErrConflict when several share it).
func (db *DB) PersonByName(ctx context.Context, name, role string) (PersonRecord, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+personColumns+` FROM people p LEFT JOIN incubators i ON i.id = p.incubator_id
		WHERE p.name = $1::text AND p.role = $2::text AND p.revoked_at IS NULL`, name, role)
	if err != nil {
		return PersonRecord{}, fmt.Errorf("postgres: person %s: %w", name, err)
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PersonRecord, error) { return scanPerson(r) })
	switch {
	case err != nil:
		return PersonRecord{}, fmt.Errorf("postgres: person %s: %w", name, err)
	case len(ps) == 0:
		return PersonRecord{}, fmt.Errorf("postgres: person %s: %w", name, ErrNotFound)
	case len(ps) > 1:
		return PersonRecord{}, fmt.Errorf("postgres: person %s: %w", name, ErrConflict)
	}
	return ps[0], nil
}

// Revoke ends a person's role and binding.
func (db *DB) Revoke(ctx context.Context, id int64, a Actor) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE people SET revoked_at = now(), invite_hash = NULL WHERE id = $1::bigint AND revoked_at IS NULL`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("person %d: %w", id, ErrNotFound)
		}
		return audit(ctx, tx, a, "revoke", "person", fmt.Sprint(id), nil, nil)
	})
}

// LiveCodes implements bot.Codes: which of the hashes are codes in force.
func (db *DB) LiveCodes(ctx context.Context, hashes []string, now time.Time) ([]string, error) {
	if len(hashes) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT invite_hash FROM people WHERE invite_hash = ANY($1::text[]) AND revoked_at IS NULL AND invite_expires > $2::timestamptz`, hashes, now)
	if err != nil {
		return nil, fmt.Errorf("postgres: live codes: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: live codes: %w", err)
	}
	return out, nil
}

// VoidCodes implements bot.Codes: the codes are cancelled at once, each in
// the audit log, and the officers to tell are returned.
func (db *DB) VoidCodes(ctx context.Context, hashes []string, where string) ([]model.Exposed, error) {
	var out []model.Exposed
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE people SET invite_hash = NULL, invite_expires = NULL
			WHERE invite_hash = ANY($1::text[]) AND revoked_at IS NULL RETURNING id, name, invited_by`, hashes)
		if err != nil {
			return err
		}
		type voided struct {
			id, by *int64
			name   string
		}
		var vs []voided
		for rows.Next() {
			var v voided
			var id int64
			if err := rows.Scan(&id, &v.name, &v.by); err != nil {
				rows.Close()
				return err
			}
			v.id = &id
			vs = append(vs, v)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, v := range vs {
			if err := audit(ctx, tx, Actor{Name: "incubot", Role: "system", Channel: where}, "void_code", "person", fmt.Sprint(*v.id), nil,
				map[string]any{"reason": "code seen outside a private chat", "where": where}); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT name, channel, chat_id FROM people
				WHERE revoked_at IS NULL AND role = 'officer' AND contact_key <> '' AND chat_id <> ''
				AND (id = $1::bigint OR ($1::bigint IS NULL OR NOT EXISTS (SELECT 1 FROM people b WHERE b.id = $1::bigint AND b.revoked_at IS NULL AND b.contact_key <> '')))
				ORDER BY id`, v.by)
			if err != nil {
				return err
			}
			cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Contact, error) {
				var c model.Contact
				err := r.Scan(&c.Name, &c.Channel, &c.ChatID)
				return c, err
			})
			if err != nil {
				return err
			}
			out = append(out, model.Exposed{Person: v.name, Notify: cs})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: void codes: %w", err)
	}
	return out, nil
}
