package matcher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
)

// Invented people and numbers: Luhn-valid RPPS and FINESS built from
// arbitrary digits.
var (
	rppsLeger   = "10100271385" // the sample number of DOMAIN.md, here given to an invented person
	rppsMoreau  = withCheckDigit("1099999000")
	rppsMoreau2 = withCheckDigit("1099999001")
	rppsAbsent  = withCheckDigit("1088888000")
	finessSite  = "250000700"
	finessJur   = "250000452"
)

func testDirectory() *mapDirectory {
	return newMapDirectory([]rppsync.Professional{
		{RPPS: rppsLeger, LastName: "LEGER", FirstName: "ROMAIN", ProfessionCode: "10", ProfessionLabel: "Médecin",
			Activities: []rppsync.Activity{{FinessSite: finessSite, FinessJuridique: finessJur}}},
		{RPPS: rppsMoreau, LastName: "MOREAU", FirstName: "SOPHIE", ProfessionCode: "60", ProfessionLabel: "Infirmier",
			Activities: []rppsync.Activity{{FinessSite: "750000019", FinessJuridique: finessJur}}},
		{RPPS: rppsMoreau2, LastName: "MOREAU", FirstName: "SOPHIE", ProfessionCode: "70", ProfessionLabel: "Masseur-Kinésithérapeute"},
	})
}

type fakePlaces map[string]string

// ResolveBirthPlace resolves from a fixed table; an unknown place gets an issue.
func (f fakePlaces) ResolveBirthPlace(place, dept, country string, born rppsync.Date) (string, *rppsync.Issue) {
	if c, ok := f[place]; ok {
		return c, nil
	}
	return "", &rppsync.Issue{Field: string(rppsync.FieldBirthPlace), Code: rppsync.CodeBirthPlaceUnknown, Message: "Commune inconnue."}
}

func rec(row int, id, last, first, prof string) rppsync.Record {
	return rppsync.Record{Path: "agence.xlsx", Sheet: "Contrats", Row: row, Identifier: id,
		LastName: name(last), FirstName: name(first), Profession: prof, FINESS: finessSite,
		Start: rppsync.Date{Year: 2026, Month: 12, Day: 1}, End: rppsync.Date{Year: 2026, Month: 12, Day: 21}}
}

func codes(v rppsync.Verdict) []string {
	var c []string
	for _, is := range v.Issues {
		c = append(c, is.Code)
	}
	return c
}

func TestCheckStatuses(t *testing.T) {
	reversed := rec(10, "", "Moreau", "Sophie", "IDE")
	reversed.Start, reversed.End = reversed.End, reversed.Start
	badDate := rec(11, rppsLeger, "Leger", "Romain", "Médecin")
	badDate.Start = rppsync.Date{}
	badDate.Issues = []rppsync.Issue{{Field: string(rppsync.FieldContractStart), Code: rppsync.CodeDateInvalid, Message: "Date illisible."}}
	badBirth := rec(12, rppsLeger, "Leger", "Romain", "Médecin")
	badBirth.Issues = []rppsync.Issue{{Field: string(rppsync.FieldBirthDate), Code: rppsync.CodeDateInvalid, Message: "Date illisible."}}
	usage := rec(13, "", "Durand", "Sophie", "Infirmière")
	usage.UsageName = name("Moreau")
	badFiness := rec(14, rppsLeger, "Leger", "Romain", "Dr")
	badFiness.FINESS = "250000701"

	tests := []struct {
		name      string
		rec       rppsync.Record
		status    rppsync.Status
		codes     []string // exactly these issue codes, in order
		firstCand string   // RPPS of the first candidate, when candidates are expected
		profCode  *string
	}{
		{"matched", rec(3, rppsLeger, "LEGER", "Romain", "Médecin"), rppsync.StatusMatched, nil, "", rppsync.Ptr("10")},
		{"matched PSC form", rec(4, "8"+rppsLeger, "Léger", "ROMAIN", "Dr"), rppsync.StatusMatched, nil, "", rppsync.Ptr("10")},
		{"matched with typo", rec(5, rppsLeger, "Legre", "Romain", "Médecin"), rppsync.StatusMatched, []string{CodeNameDiffers}, "", rppsync.Ptr("10")},
		{"matched other profession", rec(6, rppsLeger, "Leger", "Romain", "IDE"), rppsync.StatusMatched, []string{CodeProfessionDiffers}, "", rppsync.Ptr("60")},
		{"matched unknown label", rec(7, rppsLeger, "Leger", "Romain", "Plombier"), rppsync.StatusMatched, nil, "", rppsync.Ptr("10")},
		{"identity mismatch", rec(8, rppsLeger, "Moreau", "Sophie", "IDE"), rppsync.StatusIdentityMismatch, []string{CodeIdentityMismatch}, rppsMoreau, rppsync.Ptr("60")},
		{"rpps unknown", rec(9, rppsAbsent, "Garnier", "Luc", "AS"), rppsync.StatusRPPSUnknown, []string{CodeRPPSUnknown}, "", rppsync.Ptr("")},
		{"reversed dates", reversed, rppsync.StatusInvalid, []string{rppsync.CodeContractDatesReversed}, "", rppsync.Ptr("60")},
		{"unreadable contract date", badDate, rppsync.StatusInvalid, []string{rppsync.CodeDateInvalid}, "", rppsync.Ptr("10")},
		{"unreadable birth date only flags", badBirth, rppsync.StatusMatched, []string{rppsync.CodeDateInvalid}, "", rppsync.Ptr("10")},
		{"no first name", rec(15, rppsLeger, "Leger", "", "Médecin"), rppsync.StatusInvalid, []string{rppsync.CodeNameMissing}, "", rppsync.Ptr("10")},
		{"no name at all", rec(16, "", "", "", "IDE"), rppsync.StatusInvalid, []string{rppsync.CodeNameMissing, rppsync.CodeNameMissing}, "", rppsync.Ptr("60")},
		{"checksum", rec(17, "10100271386", "Leger", "Romain", "Médecin"), rppsync.StatusRPPSInvalid, []string{rppsync.CodeRPPSChecksum}, rppsLeger, rppsync.Ptr("10")},
		{"adeli", rec(18, "012800736", "Nobody", "Jeanne", "Opticien"), rppsync.StatusRPPSInvalid, []string{rppsync.CodeADELINotRPPS}, "", rppsync.Ptr("28")},
		{"format", rec(19, "1010027138", "Nobody", "Jeanne", "IDE"), rppsync.StatusRPPSInvalid, []string{rppsync.CodeRPPSFormat}, "", rppsync.Ptr("60")},
		{"candidate", rec(20, "", "moreau", "sophie", "IDE"), rppsync.StatusCandidate, []string{CodeRPPSMissing}, rppsMoreau, rppsync.Ptr("60")},
		{"candidate by profession", rec(21, "", "Moreau", "Sophie", "Kiné"), rppsync.StatusCandidate, []string{CodeRPPSMissing}, rppsMoreau2, rppsync.Ptr("70")},
		{"candidate by usage name", usage, rppsync.StatusCandidate, []string{CodeRPPSMissing}, rppsMoreau, rppsync.Ptr("60")},
		{"to register", rec(22, "", "Inconnu", "Paul", "AS"), rppsync.StatusToRegister, []string{CodeRPPSMissing}, "", rppsync.Ptr("")},
		{"profession unknown", rec(23, "", "Inconnu", "Paul", "Plombier"), rppsync.StatusToRegister, []string{CodeRPPSMissing, rppsync.CodeProfessionUnknown}, "", nil},
		{"name at the length limit", rec(24, "", strings.Repeat("é", MaxNameRunes), "Paul", "AS"), rppsync.StatusToRegister, []string{CodeRPPSMissing}, "", rppsync.Ptr("")},
		{"name too long", rec(25, "", strings.Repeat("MOREAU", 5000), "Sophie", "IDE"), rppsync.StatusInvalid, []string{CodeNameTooLong}, "", rppsync.Ptr("60")},
		{"first name too long", rec(26, rppsLeger, "Leger", strings.Repeat("é", MaxNameRunes+1), "Médecin"), rppsync.StatusInvalid, []string{CodeNameTooLong}, "", rppsync.Ptr("10")},
		{"invalid FINESS flags only", badFiness, rppsync.StatusMatched, []string{CodeFINESSChecksum}, "", rppsync.Ptr("10")},
	}
	m, err := New(Config{Directory: testDirectory()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := m.Check(context.Background(), []rppsync.Record{tt.rec})
			if err != nil {
				t.Fatal(err)
			}
			v := vs[0]
			if v.Status != tt.status || v.Row != tt.rec.Row || *v.Sheet != "Contrats" {
				t.Errorf("status %s row %d; want %s row %d", v.Status, v.Row, tt.status, tt.rec.Row)
			}
			if got := codes(v); !slices.Equal(got, tt.codes) {
				t.Errorf("issue codes %v; want %v (%+v)", got, tt.codes, v.Issues)
			}
			switch {
			case tt.firstCand == "" && len(v.Candidates) > 0 && tt.status != rppsync.StatusRPPSInvalid:
				t.Errorf("candidates %+v; want none", v.Candidates)
			case tt.firstCand != "" && (len(v.Candidates) == 0 || v.Candidates[0].RPPS != tt.firstCand):
				t.Errorf("candidates %+v; want %s first", v.Candidates, tt.firstCand)
			}
			if (v.ProfessionCode == nil) != (tt.profCode == nil) || (v.ProfessionCode != nil && *v.ProfessionCode != *tt.profCode) {
				t.Errorf("profession_code %v; want %v", v.ProfessionCode, tt.profCode)
			}
			if unknown := slices.Contains(tt.codes, rppsync.CodeProfessionUnknown); (v.Channel == nil) != unknown {
				t.Errorf("channel %v: it must be null exactly when the profession is unknown", v.Channel)
			}
			for _, is := range v.Issues {
				if is.Message == "" || is.Field == "" {
					t.Errorf("issue %+v lacks a field or a message", is)
				}
			}
		})
	}
}

func TestCheckFillsEveryField(t *testing.T) {
	r := rec(5, " 101.002.713.85 ", "Léger", "Romain", "Médecin")
	r.BirthPlace, r.BirthDate = "Pontarlier", rppsync.Date{Year: 1980, Month: 5, Day: 1}
	m, _ := New(Config{Directory: testDirectory(), Places: fakePlaces{"Pontarlier": "25462"}})
	vs, err := m.Check(context.Background(), []rppsync.Record{r})
	if err != nil {
		t.Fatal(err)
	}
	v := vs[0]
	if *v.RPPS != rppsLeger || *v.LastName != "Léger" || *v.FirstName != "Romain" || *v.ProfessionCode != "10" ||
		*v.Channel != rppsync.ChannelOrdre || *v.BirthINSEE != "25462" || *v.FINESS != finessSite ||
		v.ContractStart != r.Start || v.ContractEnd != r.End {
		b, _ := json.Marshal(v)
		t.Errorf("verdict %s", b)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"issues":[]`, `"candidates":[]`, `"contract_start":"2026-12-01"`, `"birth_insee":"25462"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}

	r.BirthPlace = "Nulle-Part"
	vs, _ = m.Check(context.Background(), []rppsync.Record{r})
	if vs[0].BirthINSEE != nil || !slices.Contains(codes(vs[0]), rppsync.CodeBirthPlaceUnknown) {
		t.Errorf("unresolved birth place: insee %v issues %v", vs[0].BirthINSEE, codes(vs[0]))
	}
}

func TestCheckWithoutDirectory(t *testing.T) {
	m, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := m.Check(context.Background(), []rppsync.Record{
		rec(3, rppsLeger, "Leger", "Romain", "Médecin"),
		rec(4, "", "Leger", "Romain", "Médecin"),
		rec(5, "10100271386", "Leger", "Romain", "Médecin"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []rppsync.Status{rppsync.StatusUnchecked, rppsync.StatusToRegister, rppsync.StatusRPPSInvalid}
	for i, v := range vs {
		if v.Status != want[i] {
			t.Errorf("row %d: %s; want %s", v.Row, v.Status, want[i])
		}
	}
	if !slices.Contains(codes(vs[1]), rppsync.CodeDirectoryUnavailable) || vs[1].BirthINSEE != nil {
		t.Errorf("to_register without directory: %+v", vs[1])
	}
}

func TestIdentityMismatchNeverNamesTheOwner(t *testing.T) {
	m, _ := New(Config{Directory: testDirectory()})
	vs, _ := m.Check(context.Background(), []rppsync.Record{rec(3, rppsLeger, "Garnier", "Luc", "IDE")})
	v := vs[0]
	if v.Status != rppsync.StatusIdentityMismatch {
		t.Fatalf("status %s", v.Status)
	}
	b, _ := json.Marshal(v)
	if strings.Contains(strings.ToUpper(string(b)), "LEGER") || strings.Contains(strings.ToUpper(string(b)), "ROMAIN") {
		t.Errorf("verdict names the RPPS owner: %s", b)
	}
	if !strings.Contains(v.Issues[0].Message, "un autre professionnel (Médecin)") {
		t.Errorf("message %q", v.Issues[0].Message)
	}
}

func TestCandidatesOrderAndLimits(t *testing.T) {
	dir := testDirectory()
	m, _ := New(Config{Directory: dir, MaxCandidates: 1})
	r := rec(3, "", "Moreau", "Sophie", "IDE")
	vs, _ := m.Check(context.Background(), []rppsync.Record{r})
	if len(vs[0].Candidates) != 1 || vs[0].Candidates[0].RPPS != rppsMoreau {
		t.Fatalf("candidates %+v", vs[0].Candidates)
	}
	c := vs[0].Candidates[0]
	if c.Score <= 0 || c.Score > 1 || c.ProfessionCode != "60" || !slices.Contains(c.Reasons, "même profession") || !slices.Contains(c.Reasons, "nom identique") {
		t.Errorf("candidate %+v", c)
	}
	r.FINESS = finessJur
	vs, _ = m.Check(context.Background(), []rppsync.Record{r})
	if !slices.Contains(vs[0].Candidates[0].Reasons, "exerce dans la structure (FINESS)") || vs[0].Candidates[0].Score <= c.Score {
		t.Errorf("FINESS evidence not counted: %+v vs %+v", vs[0].Candidates[0], c)
	}

	all, _ := New(Config{Directory: dir})
	r.Profession = ""
	vs, _ = all.Check(context.Background(), []rppsync.Record{r})
	if len(vs[0].Candidates) != 2 || vs[0].Candidates[0].Score < vs[0].Candidates[1].Score {
		t.Errorf("want both homonyms, best first: %+v", vs[0].Candidates)
	}

	strict, _ := New(Config{Directory: dir, MinScore: 0.99})
	vs, _ = strict.Check(context.Background(), []rppsync.Record{rec(3, "", "Moreau", "Sophie", "IDE")})
	if vs[0].Status != rppsync.StatusToRegister || len(vs[0].Candidates) != 0 {
		t.Errorf("MinScore 0.99: %s %+v", vs[0].Status, vs[0].Candidates)
	}
}

func TestCheckBatchesLookups(t *testing.T) {
	dir := testDirectory()
	m, _ := New(Config{Directory: dir})
	var recs []rppsync.Record
	for i := range 200 {
		recs = append(recs, rec(i+2, rppsLeger, "Leger", "Romain", "Médecin"), rec(i+2, "", "Moreau", "Sophie", "IDE"),
			rec(i+2, withCheckDigit(fmt.Sprintf("1077700%03d", i)), "Garnier", "Luc", "AS"))
	}
	vs, err := m.Check(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != len(recs) {
		t.Fatalf("%d verdicts for %d records", len(vs), len(recs))
	}
	for i := range vs {
		if vs[i].Row != recs[i].Row {
			t.Fatalf("verdict %d is for row %d; want row %d (same order)", i, vs[i].Row, recs[i].Row)
		}
	}
	if dir.rppsCalls != 1 || dir.keyCalls != 1 {
		t.Errorf("%d RPPS calls and %d key calls for %d records; want 1 and 1", dir.rppsCalls, dir.keyCalls, len(recs))
	}
}

func itoa(i int) string {
	return strings.TrimLeft(string(rune('0'+i/100))+string(rune('0'+i/10%10))+string(rune('0'+i%10)), "0")
}

func TestWanted(t *testing.T) {
	usage := rec(4, "", "Durand", "Sophie", "IDE")
	usage.UsageName = name("Moreau")
	rpps, search := Wanted([]rppsync.Record{
		rec(3, rppsLeger, "Leger", "Romain", "Médecin"),
		rec(3, "8"+rppsLeger, "Leger", "Romain", "Médecin"),
		usage,
		rec(5, "10100271386", "", "Nobody", "IDE"), // invalid row: nothing wanted
	}, 0)
	if !slices.Equal(rpps, []string{rppsLeger}) {
		t.Errorf("rpps %v", rpps)
	}
	keys := search.Keys()
	for _, k := range []string{"N:LEGER", "N:MOREAU", "N:DURAND", "N:SOPHIE", "N:ROMAIN"} {
		if !slices.Contains(keys, k) {
			t.Errorf("keys lack %s", k)
		}
	}
	if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
		t.Errorf("keys not sorted and unique: %v", keys)
	}
	if slices.Contains(keys, "N:NOBODY") {
		t.Error("an invalid row asked for keys")
	}
	// The gate: the rows' own names and close ones pass, a namesake
	// with another first name does not, nor a name no row searches.
	for _, c := range []struct {
		last, first string
		keep        bool
	}{
		{"LEGER", "ROMAIN", true},
		{"LÉGER", "Romain", true},
		{"DURANT", "SOPHIE", true},     // one typo, for a row without RPPS
		{"LEGERE", "ROMAIN", false},    // rows with an RPPS search exact names only
		{"LEGER", "ROMAIN PAUL", true}, // a second first name
		{"ROMAIN", "LEGER", true},      // swapped columns
		{"MOREAU", "SOPHIE", true},     // the usage name
		{"LEGER", "CHRISTINE", false},
		{"DURAND", "PAUL", false},
		{"MARTIN", "ROMAIN", false},
	} {
		if got := search.Keep(c.last, c.first); got != c.keep {
			t.Errorf("Keep(%s, %s) = %v; want %v", c.last, c.first, got, c.keep)
		}
	}
	if !search.KeepLast("LEGER") || search.KeepLast("MARTIN") {
		t.Error("KeepLast: want LEGER, not MARTIN")
	}
}

func TestCheckErrors(t *testing.T) {
	boom := errors.New("connexion perdue")
	dir := testDirectory()
	dir.err = boom
	m, _ := New(Config{Directory: dir})
	if _, err := m.Check(context.Background(), []rppsync.Record{rec(3, rppsLeger, "Leger", "Romain", "Médecin")}); !errors.Is(err, boom) {
		t.Errorf("directory failure: %v; want it wrapped", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Check(ctx, []rppsync.Record{rec(3, "", "Leger", "Romain", "Médecin")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestNew(t *testing.T) {
	for _, cfg := range []Config{{MinScore: -0.1}, {MinScore: 1.5}, {MaxCandidates: -1}} {
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) = %v; want ErrConfig", cfg, err)
		}
	}
	m, err := New(Config{})
	if err != nil || m.minScore != DefaultMinScore || m.maxCand != DefaultMaxCandidates {
		t.Errorf("defaults: %+v, %v", m, err)
	}
}

// TestTooLongNameSearchesNothing: a row whose name is no name (thousands
// of letters) asks the directory for nothing, where its one-typo keys
// would have been thousands of keys of thousands of letters.
func TestTooLongNameSearchesNothing(t *testing.T) {
	long := rec(2, "", strings.Repeat("ABCDEFGHIJ", 3000), "Marie", "IDE")
	rpps, names := Wanted([]rppsync.Record{long}, 0)
	if len(rpps) != 0 || len(names.Keys()) != 0 {
		t.Errorf("%d RPPS and %d keys wanted for a row with a name of 30,000 letters", len(rpps), len(names.Keys()))
	}
	ok := rec(3, "", strings.Repeat("ABCDEFGHIJ", 20), "Marie", "IDE") // 200: a name still
	if _, names := Wanted([]rppsync.Record{ok}, 0); len(names.Keys()) == 0 {
		t.Error("a name of 200 letters searches nothing")
	}
}
