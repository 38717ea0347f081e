package matcher

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
)

// TestBirthDateUnusable: a row with no RPPS whose birth date does not
// exist cannot be registered (invalid, CONTRACT.md); with an RPPS the
// directory decides, and the issue is carried.
func TestBirthDateUnusable(t *testing.T) {
	bad := []rppsync.Issue{{Field: string(rppsync.FieldBirthDate), Code: rppsync.CodeDateInvalid, Message: "Date illisible."}}
	noRPPS := rec(1, "", "Nobody", "Jeanne", "Aide-soignante")
	noRPPS.Issues = bad
	withRPPS := rec(2, rppsLeger, "Leger", "Romain", "Médecin")
	withRPPS.Issues = bad
	m, err := New(Config{Directory: testDirectory()})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := m.Check(context.Background(), []rppsync.Record{noRPPS, withRPPS})
	if err != nil {
		t.Fatal(err)
	}
	if vs[0].Status != rppsync.StatusInvalid || !slices.Contains(codes(vs[0]), rppsync.CodeDateInvalid) {
		t.Errorf("no RPPS, 31/02: %s %v, want invalid with date_invalid", vs[0].Status, codes(vs[0]))
	}
	if vs[1].Status != rppsync.StatusMatched {
		t.Errorf("RPPS, 31/02: %s, want matched", vs[1].Status)
	}
}

// TestUsageNameIdentity: the directory's nom d'exercice may be the birth
// name or the usage name; either matches the RPPS's owner.
func TestUsageNameIdentity(t *testing.T) {
	dir := newMapDirectory([]rppsync.Professional{
		{RPPS: rppsMoreau, LastName: "MARTIN", FirstName: "CLAIRE", ProfessionCode: "60"},
		{RPPS: rppsMoreau2, LastName: "DUPONT", FirstName: "CLAIRE", ProfessionCode: "60"},
	})
	m, err := New(Config{Directory: dir})
	if err != nil {
		t.Fatal(err)
	}
	r1 := rec(1, rppsMoreau, "DUPONT", "Claire", "IDE") // nom d'exercice = usage name
	r1.UsageName = name("MARTIN")
	r2 := rec(2, rppsMoreau2, "DUPONT", "Claire", "IDE") // nom d'exercice = birth name
	r2.UsageName = name("MARTIN")
	r3 := rec(3, rppsMoreau, "DUPONT", "Claire", "IDE") // birth name only: someone else's name
	vs, err := m.Check(context.Background(), []rppsync.Record{r1, r2, r3})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []rppsync.Status{rppsync.StatusMatched, rppsync.StatusMatched, rppsync.StatusIdentityMismatch} {
		if vs[i].Status != want {
			t.Errorf("row %d: %s, want %s (%v)", vs[i].Row, vs[i].Status, want, codes(vs[i]))
		}
	}
}

// TestADELISearchesByName: an ADELI number is no RPPS, but the name
// search runs and finds the person's RPPS; the message says why.
func TestADELISearchesByName(t *testing.T) {
	m, err := New(Config{Directory: testDirectory()})
	if err != nil {
		t.Fatal(err)
	}
	r := rec(1, "012800736", "Leger", "Romain", "Médecin")
	vs, err := m.Check(context.Background(), []rppsync.Record{r})
	if err != nil {
		t.Fatal(err)
	}
	v := vs[0]
	if v.Status != rppsync.StatusRPPSInvalid || len(v.Candidates) == 0 || v.Candidates[0].RPPS != rppsLeger {
		t.Fatalf("ADELI: %s candidates %+v, want rpps_invalid with %s first", v.Status, v.Candidates, rppsLeger)
	}
	i := slices.IndexFunc(v.Issues, func(is rppsync.Issue) bool { return is.Code == rppsync.CodeADELINotRPPS })
	if i < 0 || !strings.Contains(v.Issues[i].Message, "2024") || !strings.Contains(v.Issues[i].Message, "a désormais un numéro RPPS") {
		t.Errorf("ADELI issue %+v: must say ADELI was retired in 2024 and the person has an RPPS", v.Issues)
	}
}

// TestJuridiqueFINESS: a legal entity's FINESS given where a site is
// expected is recognised from the directory: one site → that site, with a
// note; several → no structure, and an issue listing the sites.
func TestJuridiqueFINESS(t *testing.T) {
	jurOne, siteOne := withCheckDigit("25000011"), withCheckDigit("25000012")
	dir := testDirectory() // LEGER at 250000700 and MOREAU at 750000019, both of legal entity 250000452
	p := rppsync.Professional{RPPS: withCheckDigit("1077777000"), LastName: "PETIT", FirstName: "ELODIE", ProfessionCode: "21",
		Activities: []rppsync.Activity{{FinessSite: siteOne, FinessJuridique: jurOne, SiteName: "CLINIQUE DU PARC"}}}
	dir.byRPPS[p.RPPS] = p
	m, err := New(Config{Directory: dir})
	if err != nil {
		t.Fatal(err)
	}
	one := rec(1, rppsLeger, "Leger", "Romain", "Médecin")
	one.FINESS = jurOne
	several := rec(2, rppsLeger, "Leger", "Romain", "Médecin")
	several.FINESS = finessJur
	site := rec(3, rppsLeger, "Leger", "Romain", "Médecin") // finessSite: a site, left as it is
	vs, err := m.Check(context.Background(), []rppsync.Record{one, several, site})
	if err != nil {
		t.Fatal(err)
	}
	if v := vs[0]; v.FINESS == nil || *v.FINESS != siteOne || !slices.Contains(codes(v), CodeFINESSJuridique) {
		t.Errorf("one site: FINESS %v issues %v, want %s with finess_juridique", v.FINESS, codes(v), siteOne)
	}
	v := vs[1]
	i := slices.IndexFunc(v.Issues, func(is rppsync.Issue) bool { return is.Code == CodeFINESSJuridiqueSites })
	if v.FINESS != nil || i < 0 || !strings.Contains(v.Issues[i].Message, finessSite) || !strings.Contains(v.Issues[i].Message, "750000019") {
		t.Errorf("several sites: FINESS %v issues %+v, want none and the sites listed", v.FINESS, v.Issues)
	}
	if v := vs[2]; v.FINESS == nil || *v.FINESS != finessSite || slices.Contains(codes(v), CodeFINESSJuridique) {
		t.Errorf("a site: FINESS %v issues %v", v.FINESS, codes(v))
	}
	if v.Status != rppsync.StatusMatched {
		t.Errorf("the structure does not change the verdict: %s", v.Status)
	}
}
