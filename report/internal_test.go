package report

import (
	"strings"
	"testing"
	"unicode"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"DUPONT", 10, "DUPONT"},
		{"DUPONT", 6, "DUPONT"},
		{"DUPONT", 5, "DUPO…"},
		{"ÉLÉONORE", 4, "ÉLÉ…"},
		{"山田太郎", 5, "山田…"},
		{"山田太郎", 4, "山…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.max); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestTermSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Léonie", "Léonie"},
		{"Le\u0301onie", "Léonie"}, // decomposed accent composed
		{"a\tb\nc\r", "a b c "},
		{"x\x1b[2Jy", "x\uFFFD[2Jy"},
		{"abc\u202Edef", "abc\uFFFDdef"},
		{"\x9b31m", "\uFFFD31m"},
	}
	for _, tt := range tests {
		if got := termSafe(tt.in); got != tt.want {
			t.Errorf("termSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzTruncateTermSafe(f *testing.F) {
	f.Add("OKONKWO-LEFÈVRE DE LA TOUR D'AUVERGNE", 12)
	f.Add("山田太郎", 3)
	f.Add("x\x1b[2J\u202Ey", 2)
	f.Add("", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = 1 + abs(n)%60
		safe := termSafe(s)
		for _, r := range safe {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("termSafe(%q) kept %U", s, r)
			}
		}
		out := truncate(safe, n)
		if displayWidth(out) > n {
			t.Fatalf("truncate(%q, %d) = %q is %d wide", safe, n, out, displayWidth(out))
		}
		if displayWidth(safe) <= n && out != safe {
			t.Fatalf("truncate(%q, %d) cut a value that fits", safe, n)
		}
		if out != safe && !(strings.HasSuffix(out, "…") && strings.HasPrefix(safe, strings.TrimSuffix(out, "…"))) {
			t.Fatalf("truncate(%q, %d) = %q is not a marked prefix", safe, n, out)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
