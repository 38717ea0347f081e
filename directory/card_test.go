package directory

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
)

func readCards(t testing.TB, data []byte) ([]Card, Stats) {
	t.Helper()
	cr, err := NewCardReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("NewCardReader: %v", err)
	}
	var cards []Card
	for cr.Next() {
		cards = append(cards, cr.Line())
	}
	if err := cr.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	return cards, cr.Stats()
}

func date(y, m, d int) rppsync.Date { return rppsync.Date{Year: y, Month: timeMonth(m), Day: d} }

func TestCardReaderFixture(t *testing.T) {
	cards, st := readCards(t, readFile(t, cardExtract))
	if len(cards) != 10 || st.Bad != 0 || st.Lines != 10 {
		t.Fatalf("%d cards, stats %+v", len(cards), st)
	}
	by := map[string]Card{}
	for _, c := range cards {
		by[c.RPPS] = c
	}
	tests := []struct {
		rpps string
		want Card
	}{
		{"10999000010", Card{RPPS: "10999000010", Number: "8099900013", Type: "CPS", ValidFrom: date(2026, 3, 1), ValidTo: date(2029, 2, 28), UpdatedAt: date(2026, 11, 20), Profession: "60"}},
		{"10999000028", Card{RPPS: "10999000028", Number: "8099900021", Type: "CPS", ValidFrom: date(2023, 12, 11), ValidTo: date(2026, 12, 10), UpdatedAt: date(2026, 11, 20), Profession: "10"}},
		{"10999000077", Card{RPPS: "10999000077", Number: "8099900062", Type: "CPS", ValidFrom: date(2024, 5, 2), ValidTo: date(2027, 5, 1), OpposedAt: date(2026, 9, 15), UpdatedAt: date(2026, 11, 20), Profession: "60"}},
	}
	for _, tt := range tests {
		if got := by[tt.rpps]; got != tt.want {
			t.Errorf("card %s:\n got %+v\nwant %+v", tt.rpps, got, tt.want)
		}
	}
	if _, ok := by["10999000036"]; ok {
		t.Error("LEFÈVRE has no card in the fixture")
	}
}

func TestCardReaderSynonyms(t *testing.T) {
	in := "\xef\xbb\xbfIdentification nationale PP;Nom;Prénom;Libellé type de carte;N° carte;Date de début de validité;Date de fin de validité;Date opposition;Date de mise à jour\r\n" +
		"810999000010;MARTIN;CLAIRE;Carte de Professionnel en Formation;1;2026-01-31;2029-01-30 00:00:00;;2026-11-20\r\n" +
		"10999000028;DUPONT;JEAN-PIERRE;CPS;2;01/01/2026;31/02/2029;;\r\n" +
		"810999000011;X;Y;CPS;3;01/01/2026;01/01/2029;;\r\n" +
		"10999000044;NGUYEN;THI MAI;CPS;4;01/01/2026;;;\r\n" +
		"10999000051;PETIT\r\n"
	cards, st := readCards(t, []byte(in))
	want := []Card{{RPPS: "10999000010", Number: "1", Type: "CPF", ValidFrom: date(2026, 1, 31), ValidTo: date(2029, 1, 30), UpdatedAt: date(2026, 11, 20)}}
	if len(cards) != 1 || cards[0] != want[0] {
		t.Errorf("cards = %+v, want %+v", cards, want)
	}
	var codes []string
	for _, s := range st.Samples {
		codes = append(codes, s.Code)
	}
	if got := strings.Join(codes, ","); got != "date_invalid,card_rpps_invalid,date_invalid,field_count" {
		t.Errorf("bad codes = %s (%+v)", got, st.Samples)
	}
}

func TestCardReaderMissingColumns(t *testing.T) {
	_, err := NewCardReader(strings.NewReader("Nom|Prénom|Numéro carte|\n"))
	var he *HeaderError
	if !errors.As(err, &he) || !errors.Is(err, ErrMissingColumns) {
		t.Fatalf("err = %v", err)
	}
	if got := strings.Join(he.Missing, ","); got != "Identifiant PP,Date fin validité,Type de carte" {
		t.Errorf("missing = %s", got)
	}
}

func TestParseCardDate(t *testing.T) {
	tests := []struct {
		in   string
		want rppsync.Date
		ok   bool
	}{
		{"10/12/2026", date(2026, 12, 10), true},
		{"2026-12-10", date(2026, 12, 10), true},
		{" 2026-12-10T00:00:00 ", date(2026, 12, 10), true},
		{"31/02/2026", rppsync.Date{}, false},
		{"2026/12/10", rppsync.Date{}, false},
		{"10-12-2026", rppsync.Date{}, false},
		{"", rppsync.Date{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseCardDate(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseCardDate(%q) = %v, %v", tt.in, got, ok)
		}
	}
}

func FuzzParseCardDate(f *testing.F) {
	for _, s := range []string{"10/12/2026", "2026-12-10", "2026-12-10 08:00", "31/02/2026", "99/99/9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseCardDate(s)
		if ok != !d.IsZero() {
			t.Fatalf("ParseCardDate(%q) = %v, %v", s, d, ok)
		}
		if ok {
			if _, valid := rppsync.NewDate(d.Year, d.Month, d.Day); !valid {
				t.Fatalf("impossible date %v from %q", d, s)
			}
		}
	})
}

func FuzzCardReader(f *testing.F) {
	data := readFile(f, cardExtract)
	f.Add(data)
	f.Add([]byte("Identifiant PP;Numéro carte;Type de carte;Date fin validité\n10999000010;1;CPS;2029-01-01\n"))
	f.Add([]byte("Identifiant PP\tNuméro carte\tType de carte\tDate fin validité\n\xff\t\"\t\t\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		cr, err := NewCardReader(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrMissingColumns) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for cr.Next() {
			c := cr.Line()
			if !ValidRPPS(c.RPPS) || c.ValidTo.IsZero() {
				t.Fatalf("invalid card kept: %+v", c)
			}
		}
		if err := cr.Err(); err != nil {
			t.Fatal(err)
		}
		if st := cr.Stats(); st.Kept+st.Bad != st.Lines {
			t.Fatalf("inconsistent stats %+v", st)
		}
	})
}
