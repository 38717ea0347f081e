package insee

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rppsync/rppsync"
)

// FuzzResolve checks the invariants of Resolve and ResolveBirthPlace on
// any text: a status of the contract, a five-character code exactly when
// ok, candidates never nil, the contract's JSON keys, the same answer
// twice, and an issue whenever the adapter gives no code.
func FuzzResolve(f *testing.F) {
	for _, s := range []struct{ text, dept, country string }{
		{"St Etienne", "", ""}, {"Paris 15e", "", ""}, {"PARIS XVe arrondissement", "", ""},
		{"75015", "", ""}, {"01090 Montceaux", "", ""}, {"Saint-Denis (974)", "", ""},
		{"Saint Denis 93", "93", ""}, {"Courcouronnes", "91", ""}, {"Casablanca (Maroc)", "", ""},
		{"2A004", "2A", ""}, {"Nouméa", "", "Nouvelle-Calédonie"}, {"", "", "Algérie"},
		{"((Paris]", "", ""}, {"Lyon 3 e", "", "FR"}, {"\xff\xfe", "\x00", "\x80"},
		{"13001", "", ""}, {"05160", "04", ""}, {"13001 Marseille", "13", ""}, {"Lhay les roses", "", ""},
		{"Mamoudzou", "985", ""}, {"98511", "", ""}, {"", "", "République démocratique du Congo"},
		{"Corée", "", ""}, {"", "", "Tchécoslovaquie"}, {"L", "", "CLIPPERTON (ILE)"},
	} {
		f.Add(s.text, s.dept, s.country, 1985, 3)
	}
	ix := Default()
	f.Fuzz(func(t *testing.T, text, dept, country string, year, month int) {
		born, _ := rppsync.NewDate(year, time.Month(1+abs(month)%12), 1) // zero when year is out of range
		r := ix.Resolve(text, dept, born)
		if r.Input != text {
			t.Errorf("Input %q, want %q", r.Input, text)
		}
		if r.Candidates == nil {
			t.Fatal("nil candidates")
		}
		switch r.Status {
		case StatusOK:
			if r.Code == nil || r.Name == nil || !isCodeToken(*r.Code) || *r.Name == "" {
				t.Fatalf("ok without a valid code: %+v", r)
			}
			if len(r.Candidates) != 0 {
				t.Errorf("ok with candidates %v", r.Candidates)
			}
			if r.CodeAtBirth == nil || *r.CodeAtBirth != *r.Code {
				t.Errorf("code_at_birth %v, code %s", r.CodeAtBirth, *r.Code)
			}
			if (r.TodayCode == nil) != (r.TodayName == nil) || (r.TodayCode != nil && (!isCodeToken(*r.TodayCode) || *r.TodayName == "")) {
				t.Errorf("today %v %v", r.TodayCode, r.TodayName)
			}
		case StatusAmbiguous, StatusPostalCode:
			if r.CodeAtBirth != nil || r.TodayCode != nil || r.TodayName != nil {
				t.Errorf("%s with a code at birth or today: %+v", r.Status, r)
			}
			if r.Code != nil || len(r.Candidates) == 0 || (r.Status == StatusAmbiguous && len(r.Candidates) < 2) {
				t.Fatalf("%s with code %v and %d candidates", r.Status, r.Code, len(r.Candidates))
			}
			for _, c := range r.Candidates {
				if !isCodeToken(c.Code) || c.Name == "" || c.Dept == "" {
					t.Errorf("bad candidate %+v", c)
				}
			}
		case StatusUnknown:
			if r.Code != nil || len(r.Candidates) != 0 {
				t.Fatalf("unknown with an answer: %+v", r)
			}
		default:
			t.Fatalf("status %q", r.Status)
		}
		if utf8.ValidString(text) && !utf8.ValidString(r.Assumed) {
			t.Errorf("Assumed is not UTF-8: %q", r.Assumed)
		}
		if r.Notes == nil || r.Assumed != strings.Join(r.Notes, " ") || slices.Contains(r.Notes, "") {
			t.Errorf("notes %q, assumed %q", r.Notes, r.Assumed)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"input", "status", "code", "name", "candidates", "code_at_birth", "today_code", "today_name", "notes"} {
			if _, ok := m[k]; !ok {
				t.Errorf("JSON lacks %q: %s", k, b)
			}
		}
		again := ix.Resolve(text, dept, born)
		if again.Status != r.Status || !slices.Equal(again.Candidates, r.Candidates) || again.Assumed != r.Assumed {
			t.Errorf("two answers: %+v then %+v", r, again)
		}
		code, issue := ix.ResolveBirthPlace(text, dept, country, born)
		switch {
		case code == "" && issue == nil:
			if strings.TrimSpace(text) != "" {
				t.Errorf("no code and no issue for %q / %q", text, country)
			}
		case code != "" && issue != nil && issue.Code != CodeBirthPlaceAssumed:
			t.Errorf("code %s with issue %+v", code, issue)
		case code == "" && issue != nil && issue.Message == "":
			t.Error("issue without a message")
		}
		res, issue2 := ix.ResolveBirthPlaceFull(text, dept, country, born)
		if res.Code != code || (issue == nil) != (issue2 == nil) || (issue != nil && *issue != *issue2) {
			t.Errorf("ResolveBirthPlaceFull %+v %+v, ResolveBirthPlace %q %+v", res, issue2, code, issue)
		}
		if assumed := issue != nil && issue.Code == CodeBirthPlaceAssumed; assumed != (len(res.Notes) > 0) {
			t.Errorf("notes %q with issue %+v", res.Notes, issue)
		}
		for _, n := range res.Notes {
			if !strings.Contains(issue.Message, n) {
				t.Errorf("message %q lacks the note %q", issue.Message, n)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1) // no overflow on MinInt
	}
	return n
}
