package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/rppsync/rppsync/notify"
	"github.com/rppsync/rppsync/pipeline"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store/storetest"
	"github.com/rppsync/rppsync/structures"
)

// tableOutbox writes each job into a table of the test's schema, in the
// caller's transaction: what a committed pass handed to delivery.
type tableOutbox struct{}

func (tableOutbox) Enqueue(ctx context.Context, tx pgx.Tx, jobs ...notify.Job) (int, error) {
	for _, j := range jobs {
		b, err := json.Marshal(j)
		if err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (job) VALUES ($1)`, b); err != nil {
			return 0, err
		}
	}
	return len(jobs), nil
}

// TestNotify imports the sample files, then notifies two structures and an
// agency: one digest each with new items, the structure's queue attached
// and the webhook signed with identifiers only; nothing again when nothing
// changed; a new digest after a corrected file.
func TestNotify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE outbox (id serial, job jsonb)`); err != nil {
		t.Fatal(err)
	}
	p := newPipeline(t, nil)
	for _, path := range []string{extract, cards} {
		if _, err := p.LoadExtract(ctx, db, path, pipeline.LoadOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Import(ctx, db, files, pipeline.ImportOptions{Agency: "Alpha"}); err != nil {
		t.Fatal(err)
	}
	recipients := []pipeline.Recipient{
		{Audience: queue.AudienceStructure, ID: chA, Name: "CH SYNTHETIQUE DE BESANCON", Emails: []string{"rpps@cha.example.invalid"},
			Webhook: &pipeline.Hook{URL: "https://cha.example.invalid/hook", Secret: "s3cret"}, Attach: true},
		{Audience: queue.AudienceStructure, ID: "690999909", Name: "HOPITAL FICTIF LYON SUD", Emails: []string{"rpps@chb.example.invalid"}},
		{Audience: queue.AudienceStructure, ID: "130999990", Name: "Nobody's", Emails: []string{"x@example.invalid"}},
		{Audience: queue.AudienceAgency, ID: "Alpha", Name: "Alpha Intérim", Emails: []string{"rh@alpha.example.invalid"}},
	}
	first, err := p.Notify(ctx, db, tableOutbox{}, recipients)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Digests) != 3 || first.Silent != 1 || first.Messages != 4 {
		t.Fatalf("first notify: %d digests, %d silent, %d messages", len(first.Digests), first.Silent, first.Messages)
	}
	rows, err := db.Pool().Query(ctx, `SELECT job FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		t.Fatal(err)
	}
	var mail notify.Message
	var hook notify.Webhook
	if err := json.Unmarshal(jobs[0], &mail); err != nil || mail.Key == "" || len(mail.Attachments) != 1 {
		t.Fatalf("CH-A's e-mail: %v %+v", err, mail)
	}
	if !strings.Contains(mail.Text, "FINESS "+chA) || !strings.HasPrefix(mail.Attachments[0].Name, "file-validation-"+chA) {
		t.Errorf("CH-A's e-mail: %q, %q", mail.Subject, mail.Attachments[0].Name)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(mail.Attachments[0].Data))
	if err != nil {
		t.Fatalf("CH-A's attachment is not a workbook: %v", err)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) < 2 || sheets[0] != "Résumé" {
		t.Fatalf("CH-A's workbook sheets: %v", sheets)
	}
	for _, sh := range sheets[1:] {
		rows, err := wb.GetRows(sh)
		if err != nil || len(rows) < 2 {
			t.Fatalf("sheet %s: %d rows, %v", sh, len(rows), err)
		}
		col := slices.Index(rows[0], "FINESS")
		for _, r := range rows[1:] {
			if col < 0 || col >= len(r) || r[col] != chA {
				t.Errorf("sheet %s of CH-A's workbook holds a row of FINESS %v", sh, r)
			}
		}
	}
	if err := json.Unmarshal(jobs[1], &hook); err != nil || hook.Key != mail.Key || hook.URL == "" {
		t.Fatalf("CH-A's webhook: %v %+v", err, hook)
	}
	for _, name := range []string{"MARTIN", "DUBOIS", "Claire"} {
		if strings.Contains(string(hook.Body), name) {
			t.Errorf("the webhook body names %q: %s", name, hook.Body)
		}
	}

	again, err := p.Notify(ctx, db, tableOutbox{}, recipients)
	if err != nil || len(again.Digests) != 0 || again.Silent != len(recipients) {
		t.Fatalf("notify with nothing changed: %+v, %v", again, err)
	}

	// A day later, a directory load closes or expires items: their change
	// makes new digests, with new keys.
	later, err := pipeline.New(pipeline.Config{Now: func() time.Time { return now.Add(40 * 24 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := later.Reconcile(ctx, db); err != nil {
		t.Fatal(err)
	}
	third, err := later.Notify(ctx, db, tableOutbox{}, recipients)
	if err != nil || len(third.Digests) == 0 {
		t.Fatalf("notify after a change: %+v, %v", third, err)
	}
	for _, d := range third.Digests {
		for _, f := range first.Digests {
			if d.Key == f.Key {
				t.Errorf("a new state reused the key %s", d.Key)
			}
		}
	}
}

// TestNotifyWaitsForTheDigestsHour: a structure whose digest is not due
// (not its day or hour) gets nothing; its changes wait, and go out once it
// is due.
func TestNotifyWaitsForTheDigestsHour(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE outbox (id serial, job jsonb)`); err != nil {
		t.Fatal(err)
	}
	p := newPipeline(t, nil)
	if _, err := p.LoadExtract(ctx, db, extract, pipeline.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Import(ctx, db, files, pipeline.ImportOptions{Agency: "Alpha"}); err != nil {
		t.Fatal(err)
	}
	due := false
	r := []pipeline.Recipient{{Audience: queue.AudienceStructure, ID: chA, Emails: []string{"rpps@cha.example.invalid"},
		Due: func(now, last time.Time) bool { return due }}}
	if res, err := p.Notify(ctx, db, tableOutbox{}, r); err != nil || len(res.Digests) != 0 || res.Silent != 1 {
		t.Fatalf("not due: %+v, %v", res, err)
	}
	due = true
	if res, err := p.Notify(ctx, db, tableOutbox{}, r); err != nil || len(res.Digests) != 1 {
		t.Fatalf("due: %+v, %v", res, err)
	}
}

// TestRecipients builds the recipients of a configuration: a structure
// with its digest disabled gets none, a webhook whose secret variable is
// not set is left out with an error (the e-mails stay), an agency with no
// contact gets none, and each structure's digest days and hour decide.
func TestRecipients(t *testing.T) {
	conf, err := structures.Parse(strings.NewReader(`{"version": 1, "structures": [
  {"finess": "250999901", "name": "A", "contacts": [{"email": "a@example.org"}],
   "webhook": {"url": "https://a.example.org/hook", "secret_env": "HOOK_SECRET_A"}, "digest": {"time": "07:30", "attach": true}},
  {"finess": "690999909", "name": "B", "contacts": [{"email": "b@example.org"}], "digest": {"enabled": false}}],
 "agencies": [{"name": "Alpha", "contacts": [{"email": "rh@alpha.example.org"}]}, {"name": "Gamma", "contacts": []}]}`))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	got, errs := pipeline.Recipients(conf, getenv)
	if len(errs) != 1 || len(got) != 2 {
		t.Fatalf("without the secret: %d recipients, errors %v", len(got), errs)
	}
	a, alpha := got[0], got[1]
	if a.ID != "250999901" || a.Webhook != nil || !slices.Equal(a.Emails, []string{"a@example.org"}) || !a.Attach || a.Due == nil {
		t.Errorf("structure A: %+v", a)
	}
	if alpha.Audience != queue.AudienceAgency || alpha.ID != "Alpha" || alpha.Due != nil {
		t.Errorf("agency Alpha: %+v", alpha)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	if a.Due(time.Date(2026, 12, 7, 7, 0, 0, 0, paris), time.Time{}) || !a.Due(time.Date(2026, 12, 7, 7, 30, 0, 0, paris), time.Time{}) {
		t.Error("structure A's digest is not due at 07:30 only")
	}
	env["HOOK_SECRET_A"] = "0123456789abcdef0123456789abcdef"
	got, errs = pipeline.Recipients(conf, getenv)
	if len(errs) != 0 || got[0].Webhook == nil || got[0].Webhook.Secret != env["HOOK_SECRET_A"] {
		t.Errorf("with the secret: %+v, %v", got[0].Webhook, errs)
	}
}
