package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rppsync/rppsync/queue"
)

// DigestRecord is a digest handed to delivery.
type DigestRecord struct {
	Audience   queue.Audience
	Recipient  string // FINESS or agency name
	Key        string
	Items      int // pending items it counted
	Changed    int // items changed since the previous one
	LastChange time.Time
	Messages   int // e-mails and webhooks enqueued
	CreatedAt  time.Time
}

// LastDigest returns the latest item change the previous digest to the
// recipient reported and when it was written, or zero times when none
// was.
func (t *Tx) LastDigest(ctx context.Context, audience queue.Audience, recipient string) (lastChange, sentAt time.Time, err error) {
	err = t.tx.QueryRow(ctx, `SELECT last_change, created_at FROM digest WHERE audience = $1 AND recipient = $2
		ORDER BY last_change DESC, created_at DESC LIMIT 1`, string(audience), cleanText(recipient)).Scan(&lastChange, &sentAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("last digest: %w", err)
	}
	return lastChange, sentAt, nil
}

// RecordDigest records a digest in the transaction that enqueues its
// messages. A digest whose key is already recorded is not recorded again
// and RecordDigest returns false.
func (t *Tx) RecordDigest(ctx context.Context, d DigestRecord) (bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO digest (audience, recipient, key, items, changed, last_change, messages, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING`,
		string(d.Audience), cleanText(d.Recipient), d.Key, d.Items, d.Changed, d.LastChange, d.Messages, d.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("record digest: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Digests returns the digests recorded, latest first, at most limit (all
// when limit is 0).
func (db *DB) Digests(ctx context.Context, limit int) ([]DigestRecord, error) {
	sql := `SELECT audience, recipient, key, items, changed, last_change, messages, created_at FROM digest ORDER BY id DESC`
	args := []any{}
	if limit > 0 {
		sql += ` LIMIT $1`
		args = append(args, limit)
	}
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("digests: %w", err)
	}
	defer rows.Close()
	var out []DigestRecord
	for rows.Next() {
		var d DigestRecord
		var aud string
		if err := rows.Scan(&aud, &d.Recipient, &d.Key, &d.Items, &d.Changed, &d.LastChange, &d.Messages, &d.CreatedAt); err != nil {
			return nil, fmt.Errorf("digests: %w", err)
		}
		d.Audience = queue.Audience(aud)
		out = append(out, d)
	}
	return out, rows.Err()
}
