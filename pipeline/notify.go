package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/rppsync/rppsync/digest"
	"github.com/rppsync/rppsync/notify"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/report"
	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/structures"
)

// Recipient is a structure or an agency that digests go to.
type Recipient struct {
	// Audience is queue.AudienceStructure (ID its FINESS) or
	// queue.AudienceAgency (ID its name, as imports record it).
	Audience queue.Audience
	ID       string
	Name     string
	// Emails receive the digest (an MSSanté address among them, for a
	// structure that has one).
	Emails []string
	// Webhook, when set, receives the digest as signed JSON.
	Webhook *Hook
	// Attach joins the recipient's pending queue as a file.
	Attach bool
	// UrgentWithin: digest.DefaultUrgentWithin when zero.
	UrgentWithin time.Duration
	// Due, when set, says whether a digest may be sent at now when the
	// last one was sent at last (a structure's days and time); nil: at
	// every call.
	Due func(now, last time.Time) bool
}

// Recipients returns who the configuration sends digests to: each
// structure whose digest is enabled and that has an address or a webhook,
// and each agency with a contact. A webhook whose secret cannot be read
// (getenv: os.LookupEnv) makes an error for that structure, which still
// gets its e-mails.
func Recipients(cfg *structures.File, getenv func(string) (string, bool)) ([]Recipient, []error) {
	var out []Recipient
	var errs []error
	for i := range cfg.Structures {
		s := &cfg.Structures[i]
		if !s.Digest.Enabled {
			continue
		}
		r := Recipient{Audience: queue.AudienceStructure, ID: s.FINESS, Name: s.Name, Emails: s.Emails(),
			Attach: s.Digest.Attach, UrgentWithin: s.Digest.UrgentWithin(), Due: s.Digest.Due}
		if s.Webhook != nil {
			secret, err := s.Webhook.SecretValue(getenv)
			if err != nil {
				errs = append(errs, fmt.Errorf("structure %s: %w", s.FINESS, err))
			} else {
				r.Webhook = &Hook{URL: s.Webhook.URL, Secret: secret}
			}
		}
		if len(r.Emails) > 0 || r.Webhook != nil {
			out = append(out, r)
		}
	}
	for i := range cfg.Agencies {
		a := &cfg.Agencies[i]
		if e := a.Emails(); len(e) > 0 {
			out = append(out, Recipient{Audience: queue.AudienceAgency, ID: a.Name, Name: a.Name, Emails: e, Attach: true})
		}
	}
	return out, errs
}

// Hook is a webhook endpoint and the secret that signs what it receives.
type Hook struct {
	URL, Secret string
}

// Outbox inserts delivery jobs in the caller's transaction; notify's
// Delivery with a River client is the one used (RiverOutbox).
type Outbox interface {
	Enqueue(ctx context.Context, tx pgx.Tx, jobs ...notify.Job) (int, error)
}

// RiverOutbox is an Outbox over notify.Delivery and a River client (an
// insert-only client is enough).
type RiverOutbox struct {
	Delivery *notify.Delivery
	Client   *river.Client[pgx.Tx]
}

// Enqueue inserts jobs in tx and returns how many were new.
func (o RiverOutbox) Enqueue(ctx context.Context, tx pgx.Tx, jobs ...notify.Job) (int, error) {
	done, err := o.Delivery.Enqueue(ctx, tx, o.Client, jobs...)
	n := 0
	for _, e := range done {
		if !e.Duplicate {
			n++
		}
	}
	return n, err
}

// Notified says what Notify handed to delivery.
type Notified struct {
	Digests  []store.DigestRecord
	Messages int
	// Silent counts the recipients with nothing new.
	Silent int
}

// Notify writes, for each recipient whose items changed since its last
// digest, its digest (a structure) or fix list (an agency) and hands its
// messages to out in the same transaction that records the digest: either
// both are committed or neither, and the same state never makes two
// messages (the digest's key is the jobs' idempotency key). Each recipient
// has a transaction of its own: one that fails leaves the others sent.
func (p *Pipeline) Notify(ctx context.Context, db *store.DB, out Outbox, recipients []Recipient) (*Notified, error) {
	res := &Notified{}
	for _, r := range recipients {
		var rec *store.DigestRecord
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			rec, err = p.notifyOne(ctx, tx, out, r)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("notify %s %s: %w", r.Audience, r.ID, err)
		}
		p.noted(res, r, rec)
	}
	return res, nil
}

// NotifyIn is Notify inside tx, the caller's transaction (a scheduled
// pass that commits its digests with the rest of its work).
func (p *Pipeline) NotifyIn(ctx context.Context, tx *store.Tx, out Outbox, recipients []Recipient) (*Notified, error) {
	res := &Notified{}
	for _, r := range recipients {
		rec, err := p.notifyOne(ctx, tx, out, r)
		if err != nil {
			return res, fmt.Errorf("notify %s %s: %w", r.Audience, r.ID, err)
		}
		p.noted(res, r, rec)
	}
	return res, nil
}

func (p *Pipeline) noted(res *Notified, r Recipient, rec *store.DigestRecord) {
	if rec == nil {
		res.Silent++
		return
	}
	res.Digests = append(res.Digests, *rec)
	res.Messages += rec.Messages
	p.log.Info().Str("audience", string(r.Audience)).Str("recipient", r.ID).Str("key", rec.Key).
		Int("pending", rec.Items).Int("changed", rec.Changed).Int("messages", rec.Messages).Msg("digest enqueued")
}

func (p *Pipeline) notifyOne(ctx context.Context, tx *store.Tx, out Outbox, r Recipient) (*store.DigestRecord, error) {
	f := store.ItemFilter{Audience: r.Audience}
	if r.Audience == queue.AudienceAgency {
		f.Agency = r.ID
	} else {
		f.FINESS = r.ID
	}
	last, sent, err := tx.LastDigest(ctx, r.Audience, r.ID)
	if err != nil {
		return nil, err
	}
	if r.Due != nil && !r.Due(p.cfg.Now().In(digestZone), sent.In(digestZone)) {
		return nil, nil // not its day or hour yet: the changes wait for it
	}
	changedFilter := f
	changedFilter.UpdatedAfter = last
	changed, err := tx.Items(ctx, changedFilter)
	if err != nil || len(changed) == 0 {
		return nil, err
	}
	pendingFilter := f
	pendingFilter.States = []queue.State{queue.StatePending}
	pending, err := tx.Items(ctx, pendingFilter)
	if err != nil {
		return nil, err
	}
	now := p.cfg.Now()
	in := digest.Input{Audience: r.Audience, ID: r.ID, Name: r.Name, Pending: pending, Changed: changed, Now: now, UrgentWithin: r.UrgentWithin}
	var attachment []byte
	if r.Attach && len(pending) > 0 {
		var buf bytes.Buffer
		if err := report.WriteQueue(&buf, attachFormat, pending, report.Options{Now: now, Title: title(r)}); err != nil {
			return nil, err
		}
		attachment = buf.Bytes()
		in.AttachmentName = attachmentName(r, now.Format("2006-01-02"))
	}
	d, ok := digest.Build(in)
	if !ok {
		return nil, nil
	}
	var jobs []notify.Job
	if len(r.Emails) > 0 {
		m := notify.Message{Key: d.Key, To: r.Emails, Subject: d.Subject, Text: d.Text, HTML: d.HTML}
		if attachment != nil {
			m.Attachments = []notify.Attachment{{Name: in.AttachmentName, ContentType: attachType, Data: attachment}}
		}
		jobs = append(jobs, m)
	}
	if r.Webhook != nil {
		body, err := webhookBody(r, d, len(pending))
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, notify.Webhook{Key: d.Key, URL: r.Webhook.URL, Secret: r.Webhook.Secret, Event: "queue.digest", Body: body})
	}
	n, err := out.Enqueue(ctx, tx.Pgx(), jobs...)
	if err != nil {
		return nil, err
	}
	lastChange := last
	for _, e := range changed {
		if e.UpdatedAt.After(lastChange) {
			lastChange = e.UpdatedAt
		}
	}
	rec := store.DigestRecord{Audience: r.Audience, Recipient: r.ID, Key: d.Key, Items: len(pending), Changed: d.Changed,
		LastChange: lastChange, Messages: n, CreatedAt: now}
	if _, err := tx.RecordDigest(ctx, rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// digestZone is the structures' local time, of their digests' days and
// hours.
var digestZone = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.UTC
}()

// The attachment: the recipient's pending queue as an Excel workbook (a
// summary sheet, then a sheet per kind of item).
const (
	attachFormat = report.QueueXLSX
	attachType   = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	attachExt    = "xlsx"
)

func title(r Recipient) string {
	if r.Audience == queue.AudienceAgency {
		return "Agence " + r.ID
	}
	return "Structure FINESS " + r.ID
}

func attachmentName(r Recipient, day string) string {
	id := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return c
		}
		return '-'
	}, r.ID)
	if r.Audience == queue.AudienceAgency {
		return fmt.Sprintf("corrections-%s-%s.%s", id, day, attachExt)
	}
	return fmt.Sprintf("file-validation-%s-%s.%s", id, day, attachExt)
}

// webhookBody is the JSON a webhook receives: identifiers and counts,
// never a name (the structure reads the names in its own queue).
func webhookBody(r Recipient, d *digest.Digest, pending int) ([]byte, error) {
	type urgent struct {
		ID    int64      `json:"id"`
		Kind  queue.Kind `json:"kind"`
		Start string     `json:"start"`
		End   string     `json:"end"`
	}
	counts := map[string]int{}
	for k, n := range d.Counts {
		counts[string(k)] = n
	}
	u := []urgent{}
	for _, e := range d.Urgent {
		u = append(u, urgent{e.ID, e.Kind, e.Start.String(), e.End.String()})
	}
	return json.Marshal(map[string]any{
		"event": "queue.digest", "key": d.Key, "audience": r.Audience, "recipient": r.ID,
		"pending": pending, "changed": d.Changed, "counts": counts, "urgent": u,
	})
}
