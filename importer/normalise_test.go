package importer

import (
	"strings"
	"testing"
)

func TestNormaliseIdentifier(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10999000010", "10999000010"},
		{"109 990 000 10", "10999000010"},
		{"10.999.000.010", "10999000010"},
		{"10-999-000-010", "10999000010"},
		{"10999000010.0", "10999000010"},
		{"1.0999000010E10", "10999000010"},
		{"1.0999000010E+10", "10999000010"},
		{"1.0999E10", "10999000000"},
		{"8 10999000010", "810999000010"},
		{"\u00a010999000010\u202f", "10999000010"},
		{"2512/34567", "251234567"},
		{"rpps10999000010", "RPPS10999000010"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormaliseIdentifier(tt.in); got != tt.want {
			t.Errorf("NormaliseIdentifier(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPlainNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"75015", "75015"},
		{"75015.0", "75015"},
		{"1.0999000010E10", "10999000010"},
		{"2.50999901E8", "250999901"},
		{"1.5", "1.5"},
		{"1.5E-3", "1.5E-3"},
		{"1E300", "1E300"},
		{"Dupont", "Dupont"},
		{"E10", "E10"},
	}
	for _, tt := range tests {
		if got := plainNumber(tt.in); got != tt.want {
			t.Errorf("plainNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalisePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"06 12 34 56 78", "0612345678"},
		{"06.12.34.56.78", "0612345678"},
		{"+33 6 12 34 56 78", "+33612345678"},
		{"+33 (0)6 12 34 56 78", "+33612345678"},
		{"0033 6 12 34 56 78", "+33612345678"},
		{"Tél : 06-12-34-56-78", "0612345678"},
		{"", ""},
		{"n/a", ""},
	}
	for _, tt := range tests {
		if got := NormalisePhone(tt.in); got != tt.want {
			t.Errorf("NormalisePhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormaliseEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{" Claire.Martin@Example.ORG ", "claire.martin@example.org", true},
		{"mailto:a@b.fr", "a@b.fr", true},
		{"chloe.lambert@example", "chloe.lambert@example", false},
		{"a@@b.fr", "a@@b.fr", false},
		{"@b.fr", "@b.fr", false},
		{"a b@c.fr", "a b@c.fr", false},
		{"a@b..fr", "a@b..fr", false},
		{"a@b.", "a@b.", false},
	}
	for _, tt := range tests {
		got, ok := NormaliseEmail(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormaliseEmail(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNormaliseCivility(t *testing.T) {
	tests := []struct{ in, want string }{
		{"M.", "M"}, {"Monsieur", "M"}, {"M", "M"}, {"H", "M"}, {"1", "M"},
		{"Mme", "MME"}, {"Madame", "MME"}, {"Mlle", "MME"}, {"F", "MME"}, {"2", "MME"},
		{"Dr", ""}, {"", ""},
	}
	for _, tt := range tests {
		got, ok := NormaliseCivility(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("NormaliseCivility(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestNormaliseFINESS(t *testing.T) {
	for in, want := range map[string]string{"250 999 901": "250999901", "2a0001234": "2A0001234", "25.099.990.1": "250999901"} {
		if got := NormaliseFINESS(in); got != want {
			t.Errorf("NormaliseFINESS(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitFullName(t *testing.T) {
	tests := []struct{ in, last, first string }{
		{"DUPONT Jean-Pierre", "DUPONT", "Jean-Pierre"},
		{"LE GALL Anne-Sophie", "LE GALL", "Anne-Sophie"},
		{"NGUYEN Thi Mai", "NGUYEN", "Thi Mai"},
		{"D'ARTAGNAN Charles", "D'ARTAGNAN", "Charles"},
		{"Jean-Pierre DUPONT", "DUPONT", "Jean-Pierre"},
		{"DUPONT JEAN", "DUPONT", "JEAN"},
		{"dupont jean", "dupont", "jean"},
		{"  MARTIN   Claire ", "MARTIN", "Claire"},
		{"MARTIN", "MARTIN", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		last, first := SplitFullName(tt.in)
		if last != tt.last || first != tt.first {
			t.Errorf("SplitFullName(%q) = %q, %q; want %q, %q", tt.in, last, first, tt.last, tt.first)
		}
	}
}

func TestLooksLikeNIR(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"2 88 03 75 115 001 42", true},
		{"288037511500142", true},
		{"1800144109123", true},
		{"1 80 01 2A 004 123 45", true},
		{"10999000010", false},    // an RPPS
		{"810999000010", false},   // a PSC identifier
		{"35600000000048", false}, // a SIRET
		{"388037511500142", false},
		{"1 80 01 44 1X9 123 45", false},
		{"0612345678", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := LooksLikeNIR(tt.in); got != tt.want {
			t.Errorf("LooksLikeNIR(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzNormaliseIdentifier(f *testing.F) {
	for _, s := range []string{"10999000010", "109 990 000 10", "1.0999000010E10", "10999000010.0", "8-10999000010", "2A0001234", "E", "1e400", "-1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NormaliseIdentifier(s)
		if strings.ContainsAny(got, " .-/_\t\n") {
			t.Fatalf("NormaliseIdentifier(%q) = %q keeps a separator", s, got)
		}
		// Digits alone come back unchanged, whatever separators surround them.
		if allDigits(s) && got != s {
			t.Fatalf("NormaliseIdentifier(%q) = %q, want the digits unchanged", s, got)
		}
		if spaced := strings.Join(strings.Split(s, ""), " "); allDigits(s) && NormaliseIdentifier(spaced) != s {
			t.Fatalf("NormaliseIdentifier(%q) = %q, want %q", spaced, NormaliseIdentifier(spaced), s)
		}
	})
}
