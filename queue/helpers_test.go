package queue_test

import (
	"time"

	"github.com/rppsync/rppsync"
)

// Every person, number and place below is invented.

const (
	rppsA  = "10000990019"
	rppsB  = "10000990027"
	rppsC  = "10000990035"
	finess = "259999991"
	other  = "259999983"
)

var (
	now       = time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	start     = date(2026, 12, 1)
	end       = date(2026, 12, 21)
	birthDate = date(1990, 3, 14)
)

func date(y int, m time.Month, d int) rppsync.Date {
	v, ok := rppsync.NewDate(y, m, d)
	if !ok {
		panic("bad test date")
	}
	return v
}

func name(s, folded string) rppsync.Name { return rppsync.Name{Display: s, Folded: folded} }

// record returns a complete synthetic agency row.
func record() rppsync.Record {
	return rppsync.Record{
		Path:        "/inbox/agence-alpha.xlsx",
		Sheet:       "Contrats",
		Row:         5,
		LastName:    name("Durandel", "DURANDEL"),
		FirstName:   name("Maëlle", "MAELLE"),
		Civility:    "MME",
		BirthDate:   birthDate,
		BirthPlace:  "Besançon",
		Nationality: "française",
		Profession:  "Aide-soignante",
		FINESS:      finess,
		Start:       start,
		End:         end,
		Email:       "m.durandel@example.org",
		Phone:       "0600000001",
		Agency:      "Alpha Intérim",
	}
}

// verdict returns the verdict of record() with status s; with fills in the rest.
func verdict(s rppsync.Status, with ...func(*rppsync.Verdict)) rppsync.Verdict {
	v := rppsync.Verdict{
		Sheet:         rppsync.Ptr("Contrats"),
		Row:           5,
		Status:        s,
		LastName:      rppsync.Ptr("DURANDEL"),
		FirstName:     rppsync.Ptr("Maëlle"),
		FINESS:        rppsync.Ptr(finess),
		ContractStart: start,
		ContractEnd:   end,
		BirthINSEE:    rppsync.Ptr("25056"),
	}
	for _, f := range with {
		f(&v)
	}
	return v
}

func withRPPS(r string) func(*rppsync.Verdict) {
	return func(v *rppsync.Verdict) { v.RPPS = rppsync.Ptr(r) }
}

func withChannel(c rppsync.Channel, code string) func(*rppsync.Verdict) {
	return func(v *rppsync.Verdict) {
		v.Channel = rppsync.Ptr(c)
		v.ProfessionCode = rppsync.Ptr(code)
	}
}

func withIssues(is ...rppsync.Issue) func(*rppsync.Verdict) {
	return func(v *rppsync.Verdict) { v.Issues = append(v.Issues, is...) }
}

func cps(rpps string, from, to rppsync.Date) rppsync.Card {
	return rppsync.Card{RPPS: rpps, Number: "2000000001", Type: "CPS", ValidFrom: from, ValidTo: to}
}

// pro returns a directory professional with one activity at f.
func pro(rpps, last, first, profession, role, f string) rppsync.Professional {
	return rppsync.Professional{
		RPPS: rpps, LastName: last, FirstName: first, ProfessionCode: profession,
		Activities: []rppsync.Activity{{FinessSite: f, RoleCode: role}},
	}
}
