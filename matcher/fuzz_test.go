package matcher

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rppsync/rppsync"
)

func FuzzParseIdentifier(f *testing.F) {
	for _, s := range []string{"10100271385", "810100271385", "8 10100271385", "101.002.713.85", "10100271385.0",
		"1.0100271385E+10", "1,01003E+10", "012800736", "0012800736", "2A6001234", "10100271386", "20100271385",
		"1010O271385", "", " ", "---", "9E99", "1e5", "٣٤٥"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id := ParseIdentifier(s)
		if id.Input != s {
			t.Fatalf("Input %q; want %q", id.Input, s)
		}
		if id.Valid {
			if len(id.RPPS) != 11 || id.RPPS[0] != '1' || !allDigits(id.RPPS) || !Luhn(id.RPPS) || len(id.Issues) != 0 {
				t.Fatalf("valid %+v is not a checked RPPS", id)
			}
			if id.Kind != KindRPPS && id.Kind != KindPSC {
				t.Fatalf("valid with kind %q", id.Kind)
			}
			if again := ParseIdentifier(id.RPPS); !again.Valid || again.RPPS != id.RPPS {
				t.Fatalf("normalised %q does not parse back: %+v", id.RPPS, again)
			}
		} else if id.RPPS != "" {
			t.Fatalf("invalid %+v carries an RPPS", id)
		}
		if strings.TrimSpace(s) != "" && !id.Valid && len(id.Issues) == 0 {
			t.Fatalf("%q: neither valid nor explained", s)
		}
		for _, is := range id.Issues {
			if is.Field != IssueFieldRPPS || is.Message == "" || !utf8.ValidString(is.Code) {
				t.Fatalf("bad issue %+v", is)
			}
		}
	})
}

func FuzzLookupProfession(f *testing.F) {
	for _, s := range []string{"IDE", "Infirmière", "aide soignant(e)", "IBODE H/F", "Sages-femmes", "MK", "Plombier",
		"", "(e)", "H/F", "DIPLÔMÉES", "Psychomotricien(ne)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := LookupProfession(s)
		if !ok {
			if p != (Profession{}) {
				t.Fatalf("not found but %+v", p)
			}
			return
		}
		if p.Label == "" || p.Body == "" {
			t.Fatalf("%q → incomplete %+v", s, p)
		}
		switch p.Channel {
		case rppsync.ChannelOrdre, rppsync.ChannelARS, rppsync.ChannelRPPSPlus:
		default:
			t.Fatalf("%q → channel %q", s, p.Channel)
		}
		if p.Code != "" {
			if q, ok := ProfessionByCode(p.Code); !ok || q != p {
				t.Fatalf("%q → code %s not found back", s, p.Code)
			}
		}
		if q, ok := LookupProfession(strings.ToUpper(s)); !ok || q != p {
			t.Fatalf("%q found but not its upper case", s)
		}
	})
}

func FuzzValidFINESS(f *testing.F) {
	for _, s := range []string{"250000700", "2A0000012", "250000701", "", "25 000 0700"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ValidFINESS(s)
		if err != nil {
			if n != "" {
				t.Fatalf("error with value %q", n)
			}
			return
		}
		if len(n) != 9 {
			t.Fatalf("ValidFINESS(%q) = %q", s, n)
		}
		if again, err := ValidFINESS(n); err != nil || again != n {
			t.Fatalf("normalised %q does not validate: %v", n, err)
		}
	})
}
