package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/jackc/pgx/v5"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/store"
)

// Structures of the fixtures (fixtures/agencies/README.md).
const (
	chA = "250999901" // CH SYNTHETIQUE DE BESANCON
	chB = "690999909" // HOPITAL FICTIF LYON SUD
	chC = "750999906" // CLINIQUE EXEMPLE PARIS
)

// impNow is the clock of the import tests.
var impNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// impDate returns 2026-mm-dd.
func impDate(m time.Month, d int) rppsync.Date {
	v, _ := rppsync.NewDate(2026, m, d)
	return v
}

// impPerson is an invented worker and contract, turned into a record and a
// verdict by row.
type impPerson struct {
	last, first, civility string
	birth                 rppsync.Date
	birthPlace, insee     string
	profession, code      string
	channel               rppsync.Channel
	email, phone          string
	rpps                  string
	finess                string
	start, end            rppsync.Date
	status                rppsync.Status
	issues                []rppsync.Issue
	candidates            []rppsync.Candidate
}

func impName(s string) rppsync.Name { return rppsync.Name{Display: s, Folded: namekey.Fold(s)} }

// row returns the record and verdict of p at sheet/row of path.
func (p impPerson) row(path, sheet string, row int) (rppsync.Record, rppsync.Verdict) {
	rec := rppsync.Record{
		Path: path, Sheet: sheet, Row: row,
		Original: map[rppsync.Field]string{
			rppsync.FieldLastName: p.last, rppsync.FieldFirstName: p.first, rppsync.FieldIdentifier: p.rpps,
			rppsync.FieldBirthPlace: p.birthPlace, rppsync.FieldPhone: p.phone, rppsync.FieldEmail: p.email,
			rppsync.FieldProfession: p.profession, rppsync.FieldFINESS: p.finess,
		},
		LastName: impName(p.last), FirstName: impName(p.first), Civility: p.civility, Identifier: p.rpps,
		BirthDate: p.birth, BirthPlace: p.birthPlace, Profession: p.profession, FINESS: p.finess,
		Start: p.start, End: p.end, Email: p.email, Phone: p.phone,
	}
	v := rppsync.Verdict{
		Sheet: rppsync.Ptr(sheet), Row: row, Status: p.status, RPPS: rppsync.Ptr(p.rpps),
		LastName: rppsync.Ptr(p.last), FirstName: rppsync.Ptr(p.first), ProfessionCode: rppsync.Ptr(p.code),
		Channel: rppsync.Ptr(p.channel), BirthINSEE: rppsync.Ptr(p.insee), FINESS: rppsync.Ptr(p.finess),
		ContractStart: p.start, ContractEnd: p.end, Issues: p.issues, Candidates: p.candidates,
	}
	return rec, v
}

// The people of the import tests. Every one is invented.
var (
	pMartinB = impPerson{last: "MARTIN", first: "Claire", civility: "MME", rpps: "10999000010", profession: "IDE",
		code: "60", channel: rppsync.ChannelOrdre, finess: chB, start: impDate(12, 1), end: impDate(12, 21), status: rppsync.StatusMatched}
	pDupont = impPerson{last: "DUPONT", first: "Jean-Pierre", civility: "M", rpps: "10999000028", profession: "Médecin",
		code: "10", channel: rppsync.ChannelOrdre, finess: chA, start: impDate(12, 1), end: impDate(12, 21), status: rppsync.StatusMatched}
	pBernard = impPerson{last: "BERNARD", first: "Kevin", civility: "M", birth: rppsync.Date{Year: 1990, Month: 4, Day: 12},
		birthPlace: "St Etienne", insee: "42218", profession: "AS", code: "313", channel: rppsync.ChannelRPPSPlus,
		email: "k.bernard@example.invalid", phone: "0600000001", finess: chA, start: impDate(11, 23), end: impDate(12, 20),
		status: rppsync.StatusToRegister}
	pFaure = impPerson{last: "FAURE", first: "Inès", civility: "MME", birth: rppsync.Date{Year: 1995, Month: 2, Day: 3},
		birthPlace: "75015", profession: "ASH", code: "313", channel: rppsync.ChannelRPPSPlus,
		email: "i.faure@example.invalid", phone: "0600000002", finess: chA, start: impDate(12, 1), end: impDate(12, 31),
		status: rppsync.StatusToRegister, issues: []rppsync.Issue{{Field: "birth_place", Code: rppsync.CodeBirthPlacePostalCode,
			Message: "« 75015 » est un code postal, pas un code INSEE : il dessert Paris 15e (75115)."}}}
	pLambert = impPerson{last: "LAMBERT", first: "Chloé", civility: "MME", birth: rppsync.Date{Year: 1992, Month: 7, Day: 1},
		birthPlace: "Ajaccio", insee: "2A004", profession: "Infirmière", code: "60", channel: rppsync.ChannelOrdre,
		finess: chB, start: impDate(12, 1), end: impDate(12, 15), status: rppsync.StatusToRegister}
	pRoux = impPerson{last: "ROUX", first: "Yanis", civility: "M", birth: rppsync.Date{Year: 1988, Month: 3, Day: 9},
		birthPlace: "Maroc", insee: "99350", profession: "Ergothérapeute", code: "94", channel: rppsync.ChannelARS,
		finess: chB, start: impDate(12, 1), end: impDate(12, 15), status: rppsync.StatusToRegister}
	pGirard = impPerson{last: "GIRARD", first: "Thomas", civility: "M", rpps: "10999000011", profession: "IDE", code: "60",
		channel: rppsync.ChannelOrdre, finess: chB, start: impDate(12, 1), end: impDate(12, 15), status: rppsync.StatusRPPSInvalid,
		issues: []rppsync.Issue{{Field: "rpps", Code: rppsync.CodeRPPSChecksum, Message: "Le numéro RPPS a une clé fausse : vérifiez-le."}}}
	pDubois = impPerson{last: "DUBOIS", first: "Marie", civility: "MME", birth: rppsync.Date{Year: 1991, Month: 9, Day: 23},
		birthPlace: "Besançon", insee: "25056", profession: "IDE", code: "60", channel: rppsync.ChannelOrdre, finess: chA,
		start: impDate(12, 1), end: impDate(12, 21), status: rppsync.StatusCandidate,
		candidates: []rppsync.Candidate{{RPPS: "10999000085", Score: 0.97, ProfessionCode: "60", Reasons: []string{"nom identique"}},
			{RPPS: "10999000093", Score: 0.86, ProfessionCode: "10"}}}
)

// impRows builds the import rows of people at rows 2, 3… of sheet, with
// their items from queue.Build.
func impRows(path, sheet string, cards queue.Cards, people ...impPerson) []store.ImportRow {
	return impRowsAt(impNow, path, sheet, cards, people...)
}

// impRowsAt is impRows with the items built as of now (queue.Build drops
// the structure's items of missions already ended at now).
func impRowsAt(now time.Time, path, sheet string, cards queue.Cards, people ...impPerson) []store.ImportRow {
	var out []store.ImportRow
	for i, p := range people {
		rec, v := p.row(path, sheet, i+2)
		out = append(out, store.ImportRow{Record: rec, Verdict: v, Items: queue.Build(rec, v, cards, now)})
	}
	return out
}

// impFile describes a readable file of agency with a hash of content.
func impFile(path, agency, content string) store.ImportFile {
	sum := sha256.Sum256([]byte(content))
	return store.ImportFile{Path: path, SHA256: hex.EncodeToString(sum[:]), Agency: agency, DroppedBy: "rh@example.invalid",
		Format: "csv", Unmapped: []string{"Commentaire"}, NIRColumns: []string{"N° Sécu"}}
}

// impCounts returns the number of rows of each table ImportFile writes.
func impCounts(t testing.TB, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"import_file", "import_row", "contract", "item", "item_event"} {
		var n int
		if err := db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// mustImport imports and fails the test on error.
func mustImport(t testing.TB, db *store.DB, f store.ImportFile, rows []store.ImportRow) *store.ImportReport {
	t.Helper()
	rep, err := db.ImportFile(context.Background(), f, rows, impNow)
	if err != nil {
		t.Fatalf("import %s: %v", f.Path, err)
	}
	return rep
}

// loadFixtureExtract loads a directory fixture into db.
func loadFixtureExtract(t testing.TB, db *store.DB, file string) {
	t.Helper()
	ext, err := directory.Open(filepath.Join("..", "fixtures", "directory", file))
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close()
	r, err := directory.NewActivityReader(ext)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadDirectory(context.Background(), store.ExtractInfo{Name: ext.Name, Date: ext.Date}, r, store.LoadOptions{}); err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
}

// loadFixtureCards loads the card fixture into db.
func loadFixtureCards(t testing.TB, db *store.DB) {
	t.Helper()
	ext, err := directory.OpenCards(filepath.Join("..", "fixtures", "directory", "Porteurs_CPS_CPF_202611200800.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close()
	r, err := directory.NewCardReader(ext)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadCards(context.Background(), store.ExtractInfo{Name: ext.Name, Date: ext.Date}, r, store.LoadOptions{}); err != nil {
		t.Fatalf("load cards: %v", err)
	}
}

// fixtureCards returns the card fixture as package queue wants it.
func fixtureCards(t testing.TB) queue.Cards {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "fixtures", "directory", "Porteurs_CPS_CPF_202611200800.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := directory.NewCardReader(f)
	if err != nil {
		t.Fatal(err)
	}
	c := queue.Cards{Known: true}
	for r.Next() {
		c.List = append(c.List, r.Line())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return c
}

// kindsOf returns "kind/state" of each item, in order.
func kindsOf(items []store.StoredItem) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = fmt.Sprintf("%s/%s", s.Kind, s.State)
	}
	return out
}

// bigRows returns n matched rows of invented workers spread over 50
// structures, the same for the same n.
func bigRows(path string, n int) []store.ImportRow {
	rows := make([]store.ImportRow, n)
	for i := range rows {
		p := impPerson{last: fmt.Sprintf("NOM%05d", i), first: "Prénom", civility: "MME", rpps: fmt.Sprintf("10%09d", i),
			profession: "IDE", code: "60", channel: rppsync.ChannelOrdre, finess: fmt.Sprintf("2509%04d1", i%50),
			start: impDate(12, 1), end: impDate(12, 1+i%28), status: rppsync.StatusMatched, phone: "0600000000"}
		rec, v := p.row(path, "Contrats", i+2)
		rows[i] = store.ImportRow{Record: rec, Verdict: v, Items: queue.Build(rec, v, queue.Cards{Known: true}, impNow)}
	}
	return rows
}
