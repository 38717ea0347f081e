package insee

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
)

func date(t testing.TB, s string) rppsync.Date {
	t.Helper()
	if s == "" {
		return rppsync.Date{}
	}
	d, err := rppsync.ParseISODate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func codes(cs []Candidate) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Code)
	}
	return out
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ix := Default()
	tests := []struct {
		name, text, dept, born string
		status, code           string
		cands                  []string // exact candidate codes, in order
		assumed                string   // substring of Assumed; "-" means Assumed must be empty
	}{
		// Names: accents, case, hyphens, apostrophes, St/Ste, articles.
		{"contract example", "St Etienne", "", "", StatusOK, "42218", nil, "04178"},
		{"dept decides", "Saint-Étienne", "42", "", StatusOK, "42218", nil, "-"},
		{"after the homonym was renamed", "st-etienne", "", "2000-01-01", StatusOK, "42218", nil, "-"},
		{"two Saint-Étienne in 1980", "Saint-Étienne", "", "1980-05-05", StatusAmbiguous, "", []string{"04178", "42218"}, ""},
		{"apostrophe and tréma", "L'Haÿ-les-Roses", "", "", StatusOK, "94038", nil, "-"},
		{"article dropped", "Hay les Roses", "", "", StatusOK, "94038", nil, "-"},
		{"plural article", "LES ABYMES", "", "", StatusOK, "97101", nil, "-"},
		{"no article", "Abymes", "", "", StatusOK, "97101", nil, "-"},
		{"Le", "le havre", "", "", StatusOK, "76351", nil, "-"},
		{"Ste", "Ste Maxime", "", "", StatusOK, "83115", nil, "-"},
		{"s/ for sur", "Boulogne s/ Mer", "", "", StatusOK, "62160", nil, "-"},
		{"name with brackets", "Château-Chinon (Ville)", "", "", StatusOK, "58062", nil, "-"},
		{"brackets left out", "Château-Chinon", "", "", StatusAmbiguous, "", []string{"58062", "58063"}, ""},
		{"no article wins", "Vergné", "", "", StatusOK, "17464", nil, "-"},
		{"article wins", "La Vergne", "", "", StatusOK, "17465", nil, "-"},
		{"old name, no date", "Saint-Denis", "79", "", StatusOK, "79245", nil, "Champdeniers (79066)"},

		// Paris, Lyon, Marseille.
		{"Paris", "Paris", "", "", StatusOK, "75056", nil, "-"},
		{"Lyon", "Lyon", "", "", StatusOK, "69123", nil, "-"},
		{"Marseille", "MARSEILLE", "", "", StatusOK, "13055", nil, "-"},
		{"Paris 15e", "Paris 15e", "", "", StatusOK, "75115", nil, "-"},
		{"spelt out", "PARIS 15EME ARRONDISSEMENT", "", "", StatusOK, "75115", nil, "-"},
		{"roman", "Paris XVe", "", "", StatusOK, "75115", nil, "-"},
		{"bare number", "paris 15", "", "", StatusOK, "75115", nil, "-"},
		{"arrondissement first", "15e arrondissement de Paris", "", "", StatusOK, "75115", nil, "-"},
		{"1er", "Paris 1er", "", "", StatusOK, "75101", nil, "-"},
		{"Lyon 3e", "Lyon 3e", "", "", StatusOK, "69383", nil, "-"},
		{"Marseille 8ème", "Marseille 8ème", "", "", StatusOK, "13208", nil, "-"},
		{"Marseille 16e", "Marseille 16e", "", "", StatusOK, "13216", nil, "-"},
		{"no 21st", "Paris 21e", "", "", StatusUnknown, "", nil, ""},
		{"before Marseille's arrondissements", "Marseille 8ème", "", "1940-01-01", StatusOK, "13055", nil, "1940"},
		{"Lyon 9e before 1964", "Lyon 9e", "", "1950-01-01", StatusOK, "69385", nil, "Lyon 5e"},

		// Postal codes.
		{"postal Paris", "75015", "", "", StatusPostalCode, "", []string{"75115"}, ""},
		{"postal Saint-Étienne", "42000", "", "", StatusPostalCode, "", []string{"42218"}, ""},
		{"postal with name", "Paris 75015", "", "", StatusOK, "75115", nil, "code postal"},
		{"name after postal", "75015 Paris", "", "", StatusOK, "75115", nil, "code postal"},
		{"postal and name of one commune", "42000 Saint-Etienne", "", "", StatusOK, "42218", nil, "code postal"},
		{"both codes, bare", "01090", "", "", StatusAmbiguous, "", []string{"01090", "01165", "01169", "01183", "01225", "01258", "01263"}, "-"},
		{"both codes, name beside", "01090 Montceaux", "", "", StatusOK, "01258", nil, "code postal"},
		{"both codes, Marseille", "13008", "", "", StatusAmbiguous, "", []string{"13008", "13208"}, "-"},
		{"postal in brackets", "Saint-Denis (93200)", "", "", StatusOK, "93066", nil, "code postal"},
		{"code contradicts name", "Nice 75015", "", "", StatusOK, "06088", nil, "ne correspond pas"},

		// Corsica.
		{"Ajaccio", "Ajaccio", "", "", StatusOK, "2A004", nil, "-"},
		{"Bastia", "Bastia", "", "", StatusOK, "2B033", nil, "-"},
		{"Ajaccio before 1976", "Ajaccio", "", "1970-01-01", StatusOK, "20004", nil, "-"},
		{"Ajaccio 2A before 1976", "Ajaccio", "2A", "1970-01-01", StatusOK, "20004", nil, "-"},
		{"Ajaccio after 1976", "Ajaccio", "2a", "1990-01-01", StatusOK, "2A004", nil, "-"},
		{"typed 2A004", "2A004", "", "", StatusOK, "2A004", nil, "-"},
		{"typed 2A004, born 1970", "2A004", "", "1970-01-01", StatusOK, "20004", nil, "1970"},

		// Overseas.
		{"Saint-Denis (974)", "Saint-Denis (974)", "", "", StatusOK, "97411", nil, "-"},
		{"Saint-Denis (La Réunion)", "Saint-Denis (La Réunion)", "", "", StatusOK, "97411", nil, "-"},
		{"Saint Denis 974", "Saint Denis 974", "", "", StatusOK, "97411", nil, "-"},
		{"Saint-Denis La Réunion", "Saint-Denis La Réunion", "", "", StatusOK, "97411", nil, "-"},
		{"dept name argument", "Saint-Denis", "La Réunion", "", StatusOK, "97411", nil, "-"},
		{"Pointe-à-Pitre", "Pointe-à-Pitre", "", "", StatusOK, "97120", nil, "-"},
		{"Fort-de-France (Martinique)", "Fort de France (Martinique)", "", "", StatusOK, "97209", nil, "-"},
		{"Mamoudzou", "Mamoudzou", "", "", StatusOK, "97611", nil, "-"},
		{"typed 97411", "97411", "", "", StatusAmbiguous, "", []string{"97411", "97415"}, "-"},
		{"typed 97411, name beside", "97411 Saint-Denis", "", "", StatusOK, "97411", nil, "à la fois un code INSEE et un code postal"},
		{"Nouméa", "Nouméa", "", "", StatusOK, "98818", nil, "-"},
		{"Papeete", "PAPEETE", "", "", StatusOK, "98735", nil, "-"},
		{"Saint-Pierre 975", "Saint-Pierre", "975", "", StatusOK, "97502", nil, "-"},
		{"Saint-Barthélemy in Guadeloupe", "Saint-Barthélemy", "971", "1990-01-01", StatusOK, "97123", nil, "-"},
		{"Saint-Barthélemy after 2007", "Saint-Barthélemy", "977", "2010-01-01", StatusOK, "97701", nil, "-"},
		{"wrong dept ignored", "Nouméa", "13", "", StatusOK, "98818", nil, "ignoré"},

		// Homonyms.
		{"Saint-Denis", "Saint-Denis", "", "", StatusAmbiguous, "", []string{"11339", "30247", "93066", "97411"}, ""},
		{"Saint Denis 93", "Saint Denis 93", "", "", StatusOK, "93066", nil, "-"},
		{"93 Saint Denis", "93 Saint Denis", "", "", StatusOK, "93066", nil, "-"},
		{"dept argument", "Saint-Denis", "93", "", StatusOK, "93066", nil, "-"},

		// Mergers and old names.
		{"Courcouronnes 1985", "Courcouronnes", "", "1985-03-02", StatusOK, "91182", nil, "-"},
		{"Courcouronnes 2020", "Courcouronnes", "", "2020-03-02", StatusOK, "91228", nil, "Évry-Courcouronnes"},
		{"Courcouronnes, no date", "Courcouronnes", "", "", StatusOK, "91182", nil, "Date de naissance inconnue"},
		{"Courcouronnes, Seine-et-Oise", "Courcouronnes", "", "1960-01-01", StatusOK, "78182", nil, "-"},
		{"Courcouronnes, today's dept", "Courcouronnes", "91", "1960-01-01", StatusOK, "78182", nil, "-"},
		{"new name before the merger", "Évry-Courcouronnes", "", "1985-01-01", StatusAmbiguous, "", []string{"91182", "91228"}, ""},
		{"new name after the merger", "Évry-Courcouronnes", "", "2021-01-01", StatusOK, "91228", nil, "-"},
		{"Évry 1990", "Evry", "", "1990-01-01", StatusAmbiguous, "", []string{"89162", "91228"}, ""},
		{"Évry (91) 1990", "Evry", "91", "1990-01-01", StatusOK, "91228", nil, "-"},
		{"Évry, no date", "Evry", "", "", StatusOK, "89162", nil, "91228"},
		{"delegated commune", "Arbignieu", "", "2020-01-01", StatusOK, "01015", nil, "Arboys en Bugey"},
		{"moved département", "Pont-Farcy", "", "2010-01-01", StatusOK, "14513", nil, "-"},
		{"moved then merged", "Pont-Farcy", "", "2019-01-01", StatusOK, "50592", nil, "Tessy-Bocage"},

		// Abroad.
		{"Maroc", "Maroc", "", "", StatusOK, "99350", nil, "-"},
		{"Algérie", "Algérie", "", "", StatusOK, "99352", nil, "-"},
		{"city (country)", "Casablanca (Maroc)", "", "", StatusOK, "99350", nil, "-"},
		{"city country", "Casablanca Maroc", "", "", StatusOK, "99350", nil, "-"},
		{"ISO code", "MA", "", "", StatusOK, "99350", nil, "-"},
		{"ISO3", "USA", "", "", StatusOK, "99404", nil, "-"},
		{"hyphens", "Etats-Unis", "", "", StatusOK, "99404", nil, "-"},
		{"former name", "URSS", "", "", StatusOK, "99123", nil, "-"},
		{"former name 2", "Hollande", "", "", StatusOK, "99135", nil, "-"},
		{"old commune name vs country", "Allemagne", "", "", StatusOK, "99109", nil, "-"},
		{"commune and country", "Suisse", "", "", StatusAmbiguous, "", []string{"57662", "99140"}, ""},
		{"former country, no date", "Corée", "", "", StatusAmbiguous, "", []string{"99237", "99238", "99239"}, ""},
		{"commune named US beats ISO", "US", "", "", StatusOK, "95625", nil, "-"},

		// INSEE codes typed directly.
		{"arrondissement code", "75115", "", "", StatusOK, "75115", nil, "-"},
		{"city code", "13055", "", "", StatusOK, "13055", nil, "-"},
		{"country code", "99350", "", "", StatusOK, "99350", nil, "-"},
		{"old code, no date", "91182", "", "", StatusOK, "91182", nil, "ancienne commune"},

		// Garbage.
		{"empty", "", "", "", StatusUnknown, "", nil, "-"},
		{"spaces", "   ", "", "", StatusUnknown, "", nil, "-"},
		{"letters", "xqzwv", "", "", StatusUnknown, "", nil, "-"},
		{"two digits", "12", "", "", StatusUnknown, "", nil, "-"},
		{"zeros", "00000", "", "", StatusUnknown, "", nil, "-"},
		{"no such country code", "99999", "", "", StatusUnknown, "", nil, "-"},
		{"brackets only", "(((", "", "", StatusUnknown, "", nil, "-"},
		{"France is no commune", "France", "", "", StatusUnknown, "", nil, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := ix.Resolve(tt.text, tt.dept, date(t, tt.born))
			if r.Input != tt.text {
				t.Errorf("Input = %q, want %q", r.Input, tt.text)
			}
			if r.Status != tt.status {
				t.Fatalf("Resolve(%q, %q, %s) = %s %v (assumed %q), want %s", tt.text, tt.dept, tt.born, r.Status, codes(r.Candidates), r.Assumed, tt.status)
			}
			got := ""
			if r.Code != nil {
				got = *r.Code
				if r.Name == nil || *r.Name == "" {
					t.Errorf("code %s without a name", got)
				}
			}
			if got != tt.code {
				t.Errorf("code = %q, want %q (assumed %q)", got, tt.code, r.Assumed)
			}
			if tt.cands != nil && !slices.Equal(codes(r.Candidates), tt.cands) {
				t.Errorf("candidates = %v, want %v", codes(r.Candidates), tt.cands)
			}
			switch tt.assumed {
			case "":
			case "-":
				if r.Assumed != "" {
					t.Errorf("Assumed = %q, want none", r.Assumed)
				}
			default:
				if !strings.Contains(r.Assumed, tt.assumed) {
					t.Errorf("Assumed = %q, want it to mention %q", r.Assumed, tt.assumed)
				}
			}
		})
	}
}

// TestResolveJSON checks the exact shape CONTRACT.md gives for
// `rppsync lookup commune --format json`.
func TestResolveJSON(t *testing.T) {
	t.Parallel()
	ix := Default()
	tests := []struct {
		text, want string
	}{
		{"St Etienne dept 42", `{"input":"St Etienne (42)","status":"ok","code":"42218","name":"Saint-Étienne","candidates":[],"code_at_birth":"42218","today_code":"42218","today_name":"Saint-Étienne","notes":[]}`},
		{"unknown", `{"input":"xqzwv","status":"unknown","code":null,"name":null,"candidates":[],"code_at_birth":null,"today_code":null,"today_name":null,"notes":[]}`},
		{"postal", `{"input":"75015","status":"postal_code","code":null,"name":null,"candidates":[{"code":"75115","name":"Paris 15e Arrondissement","dept":"75"}],"code_at_birth":null,"today_code":null,"today_name":null,"notes":[]}`},
		{"ambiguous", `{"input":"Château-Chinon","status":"ambiguous","code":null,"name":null,"candidates":[{"code":"58062","name":"Château-Chinon (Ville)","dept":"58"},{"code":"58063","name":"Château-Chinon (Campagne)","dept":"58"}],"code_at_birth":null,"today_code":null,"today_name":null,"notes":[]}`},
		{"both codes", `{"input":"13001","status":"ambiguous","code":null,"name":null,"candidates":[{"code":"13001","name":"Aix-en-Provence","dept":"13","reading":"insee_code"},{"code":"13201","name":"Marseille 1er Arrondissement","dept":"13","reading":"postal_code"}],"code_at_birth":null,"today_code":null,"today_name":null,"notes":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var in struct{ Input string }
			if err := json.Unmarshal([]byte(tt.want), &in); err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(ix.Resolve(in.Input, "", rppsync.Date{}))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("JSON\n got %s\nwant %s", b, tt.want)
			}
		})
	}
	// Assumed is an extension: present only when something was assumed.
	b, _ := json.Marshal(ix.Resolve("Courcouronnes", "", rppsync.Date{}))
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"input", "status", "code", "name", "candidates", "code_at_birth", "today_code", "today_name", "notes", "assumed"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %s", k, b)
		}
	}
}

func TestResolveBirthPlace(t *testing.T) {
	t.Parallel()
	ix := Default()
	tests := []struct {
		name                       string
		place, dept, country, born string
		code, issue, field         string
		msgHas                     []string
	}{
		{"nothing", "", "", "", "", "", "", "", nil},
		{"plain", "Paris", "", "France", "", "75056", "", "", nil},
		{"abroad by country", "Casablanca", "", "Maroc", "", "99350", "", "", nil},
		{"abroad, no place", "", "", "Algérie", "", "99352", "", "", nil},
		{"country wins over place", "Paris", "", "Belgique", "", "99131", "", "", nil},
		{"ISO country", "Rabat", "", "MA", "", "99350", "", "", nil},
		{"overseas as country", "Nouméa", "", "Nouvelle-Calédonie", "", "98818", "", "", nil},
		{"overseas decides", "Saint-Denis", "", "La Réunion", "", "97411", "", "", nil},
		{"overseas ISO decides", "Saint-Denis", "", "RE", "", "97411", "", "", nil},
		{"France, no place", "", "", "France", "", "", "", "", nil},
		{"country in place", "Casablanca (Maroc)", "", "", "", "99350", "", "", nil},
		{"homonyms", "Saint-Denis", "", "", "", "", rppsync.CodeBirthPlaceAmbiguous, "birth_place",
			[]string{"Saint-Denis (93) 93066", "Saint-Denis (974) 97411", "Précisez le département"}},
		{"dept decides", "Saint-Denis", "93", "", "", "93066", "", "", nil},
		{"postal", "75015", "", "", "", "", rppsync.CodeBirthPlacePostalCode, "birth_place",
			[]string{"code postal", "Paris 15e Arrondissement (75) 75115", "code INSEE"}},
		{"unknown", "Xqzwv", "", "", "", "", rppsync.CodeBirthPlaceUnknown, "birth_place",
			[]string{"« Xqzwv »", "Vérifiez l'orthographe"}},
		{"merged commune", "Courcouronnes", "", "", "2020-03-02", "91228", CodeBirthPlaceAssumed, "birth_place",
			[]string{"91228", "Vérifiez"}},
		{"merged commune before", "Courcouronnes", "", "", "1985-03-02", "91182", "", "", nil},
		{"unknown country", "Lyon", "", "Atlantide", "", "", rppsync.CodeBirthPlaceUnknown, "birth_country",
			[]string{"« Atlantide »", "pays"}},
		{"unknown country, place abroad", "Casablanca (Maroc)", "", "Royaume chérifien", "", "99350", "", "", nil},
		{"ambiguous country", "", "", "Corée", "", "", rppsync.CodeBirthPlaceAmbiguous, "birth_country",
			[]string{"99238", "99239"}},
		{"long candidate list", "Sainte-Colombe", "", "", "", "", rppsync.CodeBirthPlaceAmbiguous, "birth_place",
			[]string{"Sainte-Colombe (05)", "(12 au total)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, issue := ix.ResolveBirthPlace(tt.place, tt.dept, tt.country, date(t, tt.born))
			if code != tt.code {
				t.Errorf("code = %q, want %q (issue %+v)", code, tt.code, issue)
			}
			if tt.issue == "" {
				if issue != nil {
					t.Errorf("issue = %+v, want none", issue)
				}
				return
			}
			if issue == nil {
				t.Fatalf("no issue, want %s", tt.issue)
			}
			if issue.Code != tt.issue || issue.Field != tt.field {
				t.Errorf("issue = %s on %s, want %s on %s", issue.Code, issue.Field, tt.issue, tt.field)
			}
			for _, s := range tt.msgHas {
				if !strings.Contains(issue.Message, s) {
					t.Errorf("message %q lacks %q", issue.Message, s)
				}
			}
		})
	}
}

func TestParseArrondissement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"Paris 15e", "75115"}, {"PARIS 15EME ARRONDISSEMENT", "75115"}, {"Paris XVe", "75115"},
		{"Paris XV", "75115"}, {"Paris 1er", "75101"}, {"Paris Ier", "75101"}, {"Paris 20", "75120"},
		{"Lyon 9e", "69389"}, {"Marseille 16ème arr.", "13216"}, {"2e arrondissement de Lyon", "69382"},
		{"Paris 15 e", "75115"}, {"Paris 1 er", "75101"}, {"Paris IXe", "75109"},
		{"Paris", ""}, {"Paris 0", ""}, {"Paris 21e", ""}, {"Lyon 10e", ""}, {"Paris IIII", ""},
		{"Paris 15x", ""}, {"Toulouse 3e", ""}, {"Paris 15 16", ""}, {"Paris 123", ""},
	}
	for _, tt := range tests {
		got, ok := parseArrondissement(strings.Fields(namekey.Fold(tt.in)))
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("parseArrondissement(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestFoldAndKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, fold, key string
	}{
		{"L'Haÿ-les-Roses", "L HAY LES ROSES", "HAYLESROSES"},
		{"  St-Étienne  ", "ST ETIENNE", "SAINTETIENNE"},
		{"Ste Foy lès Lyon", "STE FOY LES LYON", "SAINTEFOYLESLYON"},
		{"Cœuvres-et-Valsery", "COEUVRES ET VALSERY", "COEUVRESETVALSERY"},
		{"Boulogne s/ Mer", "BOULOGNE S MER", "BOULOGNESURMER"},
		{"U.R.S.S.", "U R S S", "URSS"},
		{"Le", "LE", "LE"},
		{"", "", ""},
		{"’’--", "", ""},
	}
	for _, tt := range tests {
		if got := namekey.Fold(tt.in); got != tt.fold {
			t.Errorf("namekey.Fold(%q) = %q, want %q", tt.in, got, tt.fold)
		}
		if got := keyOf(tt.in); got != tt.key {
			t.Errorf("keyOf(%q) = %q, want %q", tt.in, got, tt.key)
		}
	}
}
