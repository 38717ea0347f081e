package structures_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/structures"
)

// Structures of the fixtures (fixtures/agencies/README.md): invented FINESS
// numbers with a valid key.
const (
	chA = "250999901"
	chB = "690999909"
	chC = "750999906"
)

// okB is a valid second structure, so that a case can conflict with it.
const okB = `{"finess": "690999909", "name": "Hôpital fictif Lyon Sud", "aliases": ["HOPITAL FICTIF LYON SUD, site Sud"],
	"contacts": [{"email": "interim@hfls.example.org"}]}`

// doc returns a file with structure entry s followed by okB, and the
// agencies given (JSON array).
func doc(s, agencies string) string {
	if agencies == "" {
		agencies = "[]"
	}
	return `{"version": 1, "structures": [` + s + `, ` + okB + `], "agencies": ` + agencies + `}`
}

// st returns a structure entry of CH-A with extra fields (JSON members,
// without braces) added after the required ones.
func st(extra string) string {
	s := `{"finess": "250999901", "name": "CH synthétique de Besançon", "contacts": [{"email": "drh@chsb.example.org"}]`
	if extra != "" {
		s += ", " + extra
	}
	return s + "}"
}

// problem is the part of a structures.Problem a case checks.
type problem struct {
	entry, field, code string
	says               string // a substring of the message
}

func TestParseProblems(t *testing.T) {
	t.Parallel()
	s1 := "structure n°1 (FINESS 250999901)"
	cases := []struct {
		name string
		in   string
		want []problem
	}{
		{"valid", doc(st(""), ""), nil},
		{"finess with spaces is normalised", doc(strings.Replace(st(""), chA, "250 999 901", 1), ""), nil},
		{"finess missing", doc(`{"name": "CH A", "contacts": [{"email": "a@b.fr"}]}`, ""),
			[]problem{{"structure n°1", "finess", structures.CodeFINESSMissing, "pas de numéro FINESS"}}},
		{"finess too short", doc(strings.Replace(st(""), chA, "25099990", 1), ""),
			[]problem{{"structure n°1 (FINESS 25099990)", "finess", structures.CodeFINESSFormat, "compte 8 caractères au lieu de 9"}}},
		{"finess wrong key", doc(strings.Replace(st(""), chA, "250999902", 1), ""),
			[]problem{{"structure n°1 (FINESS 250999902)", "finess", structures.CodeFINESSChecksum, "clé de contrôle"}}},
		{"finess letters", doc(strings.Replace(st(""), chA, "25O999901", 1), ""),
			[]problem{{"structure n°1 (FINESS 25O999901)", "finess", structures.CodeFINESSFormat, "lettres"}}},
		{"finess duplicate", doc(strings.Replace(st(""), chA, chB, 1), ""),
			[]problem{
				{"structure n°2 (FINESS 690999909)", "finess", structures.CodeFINESSDuplicate, "déjà celui de la structure n°1"},
			}},
		{"finess as a number", doc(`{"finess": 250999901, "name": "CH A"}`, ""),
			[]problem{{"structure n°1", "finess", structures.CodeFieldType, "un nombre alors qu'il faut un texte entre guillemets"}}},
		{"name missing", doc(`{"finess": "250999901", "name": " - ", "contacts": [{"email": "a@b.fr"}]}`, ""),
			[]problem{{s1, "name", structures.CodeNameMissing, "pas de nom"}}},
		{"alias empty", doc(st(`"aliases": ["CHSB", "--"]`), ""),
			[]problem{{s1, "aliases[2]", structures.CodeAliasEmpty, "ni lettre ni chiffre"}}},
		{"alias claimed by two structures", doc(st(`"aliases": ["hôpital FICTIF lyon-sud site sud"]`), ""),
			[]problem{{"structure n°2 (FINESS 690999909)", "aliases[1]", structures.CodeAliasConflict, "désigne déjà la structure n°1 (FINESS 250999901)"}}},
		{"alias repeated in one structure is fine", doc(st(`"aliases": ["CH synthetique de Besancon", "CHSB", "chsb"]`), ""), nil},
		{"unknown field", doc(st(`"mssanté": "x@y.mssante.fr"`), ""),
			[]problem{{s1, "mssanté", structures.CodeUnknownField, "n'existe pas dans le format"}}},
		{"unknown nested field", doc(st(`"digest": {"heure": "07:00"}`), ""),
			[]problem{{s1, "heure", structures.CodeUnknownField, "n'existe pas"}}},
		{"unknown top-level field", `{"version": 1, "structure": []}`,
			[]problem{{"", "structure", structures.CodeUnknownField, "n'existe pas"}}},
		{"email invalid", doc(`{"finess": "250999901", "name": "A", "contacts": [{"email": "ok@a.fr"}, {"email": "drh@"}]}`, ""),
			[]problem{{s1, "contacts[2].email", structures.CodeEmailInvalid, "nom@domaine.fr"}}},
		{"email with display name", doc(`{"finess": "250999901", "name": "A", "contacts": [{"email": "DRH <drh@a.fr>"}]}`, ""),
			[]problem{{s1, "contacts[1].email", structures.CodeEmailInvalid, "sans nom ni chevrons"}}},
		{"email without dot in domain", doc(`{"finess": "250999901", "name": "A", "contacts": [{"email": "drh@localhost"}]}`, ""),
			[]problem{{s1, "contacts[1].email", structures.CodeEmailInvalid, "n'est pas valide"}}},
		{"two addresses in one", doc(`{"finess": "250999901", "name": "A", "contacts": [{"email": "a@a.fr, b@a.fr"}]}`, ""),
			[]problem{{s1, "contacts[1].email", structures.CodeEmailInvalid, "une seule adresse"}}},
		{"email surrounded by spaces is trimmed", doc(`{"finess": "250999901", "name": "A", "contacts": [{"email": " drh@a.fr "}]}`, ""), nil},
		{"email missing", doc(`{"finess": "250999901", "name": "A", "contacts": [{"name": "DRH"}]}`, ""),
			[]problem{{s1, "contacts[1].email", structures.CodeEmailMissing, "pas d'adresse e-mail"}}},
		{"role unknown", doc(`{"finess": "250999901", "name": "A", "contacts": [{"email": "a@a.fr", "role": "RH"}]}`, ""),
			[]problem{{s1, "contacts[1].role", structures.CodeRoleUnknown, "gestionnaire_rpps"}}},
		{"mssante outside the MSSanté domain", doc(st(`"mssante": "rh@chsb.example.org"`), ""),
			[]problem{{s1, "mssante", structures.CodeMSSanteInvalid, "nom@domaine.mssante.fr"}}},
		{"mssante not an address", doc(st(`"mssante": "mssante.fr"`), ""),
			[]problem{{s1, "mssante", structures.CodeMSSanteInvalid, "n'en est pas une"}}},
		{"mssante valid", doc(st(`"mssante": "rh@ch-a.MSSANTE.fr"`), ""), nil},
		{"webhook https", doc(st(`"webhook": {"url": "https://si.example.org/hook", "secret_env": "RPPSYNC_SECRET_A"}`), ""), nil},
		{"webhook http loopback", doc(st(`"webhook": {"url": "http://127.0.0.1:8080/hook", "secret_env": "S"}`), ""), nil},
		{"webhook http localhost", doc(st(`"webhook": {"url": "http://localhost:8080/hook", "secret_env": "S"}`), ""), nil},
		{"webhook http ipv6 loopback", doc(st(`"webhook": {"url": "http://[::1]:8080/hook", "secret_env": "S"}`), ""), nil},
		{"webhook http elsewhere", doc(st(`"webhook": {"url": "http://si.example.org/hook", "secret_env": "S"}`), ""),
			[]problem{{s1, "webhook.url", structures.CodeWebhookInsecure, "utilisez https"}}},
		{"webhook http to a name that looks local", doc(st(`"webhook": {"url": "http://127.0.0.1.example.org/hook", "secret_env": "S"}`), ""),
			[]problem{{s1, "webhook.url", structures.CodeWebhookInsecure, "utilisez https"}}},
		{"webhook other scheme", doc(st(`"webhook": {"url": "ftp://si.example.org/hook", "secret_env": "S"}`), ""),
			[]problem{{s1, "webhook.url", structures.CodeWebhookURL, "pas une URL complète"}}},
		{"webhook not a URL", doc(st(`"webhook": {"url": "si.example.org/hook", "secret_env": "S"}`), ""),
			[]problem{{s1, "webhook.url", structures.CodeWebhookURL, "pas une URL complète"}}},
		{"webhook with credentials", doc(st(`"webhook": {"url": "https://u:p@si.example.org/hook", "secret_env": "S"}`), ""),
			[]problem{{s1, "webhook.url", structures.CodeWebhookURL, "mot de passe"}}},
		{"webhook without secret", doc(st(`"webhook": {"url": "https://si.example.org/hook"}`), ""),
			[]problem{{s1, "webhook", structures.CodeSecretMissing, "pas de secret"}}},
		{"webhook with both secrets", doc(st(`"webhook": {"url": "https://si.example.org/hook", "secret": "0123456789abcdef0123456789abcdef", "secret_env": "S"}`), ""),
			[]problem{{s1, "webhook", structures.CodeSecretBoth, "gardez-en un seul"}}},
		{"webhook secret too short", doc(st(`"webhook": {"url": "https://si.example.org/hook", "secret": "motdepasse"}`), ""),
			[]problem{{s1, "webhook.secret", structures.CodeSecretShort, "moins de 32 caractères"}}},
		{"webhook inline secret", doc(st(`"webhook": {"url": "https://si.example.org/hook", "secret": "0123456789abcdef0123456789abcdef"}`), ""), nil},
		{"webhook secret_env not a variable name", doc(st(`"webhook": {"url": "https://si.example.org/hook", "secret_env": "rppsync-secret"}`), ""),
			[]problem{{s1, "webhook.secret_env", structures.CodeSecretEnvName, "« rppsync-secret » n'est pas un nom de variable"}}},
		{"digest time", doc(st(`"digest": {"time": "7h30"}`), ""),
			[]problem{{s1, "digest.time", structures.CodeDigestTime, "HH:MM"}}},
		{"digest time past midnight", doc(st(`"digest": {"time": "24:00"}`), ""),
			[]problem{{s1, "digest.time", structures.CodeDigestTime, "« 24:00 »"}}},
		{"digest days", doc(st(`"digest": {"days": ["Lundi", "monday"]}`), ""),
			[]problem{{s1, "digest.days[2]", structures.CodeDigestDay, "« monday » n'est pas reconnu"}}},
		{"digest language", doc(st(`"digest": {"language": "en"}`), ""),
			[]problem{{s1, "digest.language", structures.CodeDigestLanguage, "seul le français"}}},
		{"urgent hours zero", doc(st(`"digest": {"urgent_hours": 0}`), ""),
			[]problem{{s1, "digest.urgent_hours", structures.CodeUrgentHours, "entre 1 et 720"}}},
		{"urgent hours too many", doc(st(`"digest": {"urgent_hours": 1000}`), ""),
			[]problem{{s1, "digest.urgent_hours", structures.CodeUrgentHours, "entre 1 et 720"}}},
		{"urgent hours not a number", doc(st(`"digest": {"urgent_hours": "72"}`), ""),
			[]problem{{s1, "digest.urgent_hours", structures.CodeFieldType, "un texte alors qu'il faut un nombre entier"}}},
		{"digest nobody receives", doc(`{"finess": "250999901", "name": "A"}`, ""),
			[]problem{{s1, "digest", structures.CodeNoRecipient, "personne ne le recevrait"}}},
		{"digest disabled, nobody needed", doc(`{"finess": "250999901", "name": "A", "digest": {"enabled": false}}`, ""), nil},
		{"digest to MSSanté only", doc(`{"finess": "250999901", "name": "A", "mssante": "rh@a.mssante.fr"}`, ""), nil},
		{"version missing", `{"structures": [` + okB + `]}`,
			[]problem{{"", "version", structures.CodeVersion, `"version": 1`}}},
		{"version unknown", `{"version": 2, "structures": [` + okB + `]}`,
			[]problem{{"", "version", structures.CodeVersion, "version 2"}}},
		{"no structure", `{"version": 1, "structures": [], "agencies": []}`,
			[]problem{{"", "structures", structures.CodeNoStructure, "aucune structure"}}},
		{"syntax error located", "{\"version\": 1,\n  \"structures\": [\n    {\"finess\": \"250999901\",, }\n  ]\n}",
			[]problem{{"", "", structures.CodeSyntax, "ligne 3, colonne 28"}}},
		{"empty file", "", []problem{{"", "", structures.CodeSyntax, "vide ou coupé"}}},
		{"cut file", `{"version": 1, "structures": [`, []problem{{"", "", structures.CodeSyntax, "vide ou coupé"}}},
		{"trailing data", doc(st(""), "") + ` {}`, []problem{{"", "", structures.CodeSyntax, "après l'objet JSON principal"}}},
		{"not an object", `[1, 2]`, []problem{{"", "", structures.CodeFieldType, "une liste [ … ] alors qu'il faut un objet"}}},
		{"not UTF-8", "{\"version\": 1, \"structures\": [{\"finess\": \"250999901\", \"name\": \"H\xf4pital\"}]}",
			[]problem{{"", "", structures.CodeSyntax, "UTF-8"}}},
		{"byte order mark", "\ufeff" + doc(st(""), ""), nil},
		{"agency name missing", doc(st(""), `[{"name": "", "contacts": []}]`),
			[]problem{{"agence n°1", "name", structures.CodeNameMissing, "--agency"}}},
		{"agency twice", doc(st(""), `[{"name": "Intérim Alpha"}, {"name": "INTERIM ALPHA"}]`),
			[]problem{{"agence n°2", "name", structures.CodeAgencyDuplicate, "désigne déjà l'agence n°1"}}},
		{"agency alias conflict", doc(st(""), `[{"name": "Intérim Alpha"}, {"name": "Beta", "aliases": ["interim-alpha"]}]`),
			[]problem{{"agence n°2", "aliases[1]", structures.CodeAliasConflict, "deux agences"}}},
		{"agency contact email", doc(st(""), `[{"name": "Alpha", "contacts": [{"email": "pas une adresse"}]}]`),
			[]problem{{"agence n°1", "contacts[1].email", structures.CodeEmailInvalid, "n'est pas valide"}}},
		{"agency unknown field", doc(st(""), `[{"name": "Alpha", "siret": "1"}]`),
			[]problem{{"agence n°1", "siret", structures.CodeUnknownField, "n'existe pas"}}},
		{"every problem at once", doc(`{"finess": "250999902", "name": "", "contacts": [{"email": "x"}], "digest": {"time": "x", "language": "de"}}`, ""),
			[]problem{
				{"structure n°1 (FINESS 250999902)", "finess", structures.CodeFINESSChecksum, ""},
				{"structure n°1 (FINESS 250999902)", "name", structures.CodeNameMissing, ""},
				{"structure n°1 (FINESS 250999902)", "contacts[1].email", structures.CodeEmailInvalid, ""},
				{"structure n°1 (FINESS 250999902)", "digest.time", structures.CodeDigestTime, ""},
				{"structure n°1 (FINESS 250999902)", "digest.language", structures.CodeDigestLanguage, ""},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, err := structures.Parse(strings.NewReader(c.in))
			if c.want == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if f == nil || len(f.Structures) == 0 {
					t.Fatal("Parse returned no structure")
				}
				return
			}
			if f != nil {
				t.Errorf("Parse returned a file with an error")
			}
			checkProblems(t, err, c.want)
		})
	}
}

// addressRE finds an e-mail address in a message.
var addressRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[A-Za-z]`)

// checkProblems checks that err is a *ConfigError with exactly the
// problems of want, in order, and never quotes an e-mail address.
func checkProblems(t *testing.T, err error, want []problem) {
	t.Helper()
	var ce *structures.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *ConfigError", err, err)
	}
	if !errors.Is(err, structures.ErrInvalid) || rppsync.CodeOf(err) != "structures_invalid" {
		t.Errorf("error does not match ErrInvalid (code %q)", rppsync.CodeOf(err))
	}
	if len(ce.Problems) != len(want) {
		t.Fatalf("problems:\n%v\nwant %d: %v", err, len(want), want)
	}
	for i, w := range want {
		p := ce.Problems[i]
		if p.Entry != w.entry || p.Field != w.field || p.Code != w.code || !strings.Contains(p.Message, w.says) {
			t.Errorf("problem %d = %+v\nwant %+v", i, p, w)
		}
		if addr := addressRE.FindString(p.Message); addr != "" && addr != "nom@domaine.fr" && addr != "nom@domaine.mssante.fr" {
			t.Errorf("problem %d quotes an address: %s", i, p.Message)
		}
	}
	if !strings.HasPrefix(err.Error(), "Configuration des structures invalide :\n") {
		t.Errorf("Error() = %q", err.Error())
	}
}

// exampleFile parses the documented example of the repository.
func exampleFile(t testing.TB) *structures.File {
	t.Helper()
	r, err := os.Open(filepath.Join("..", "fixtures", "structures.example.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, err := structures.Parse(r)
	if err != nil {
		t.Fatalf("the example file does not parse: %v", err)
	}
	return f
}

func TestExampleFileParses(t *testing.T) {
	t.Parallel()
	f := exampleFile(t)
	if len(f.Structures) != 3 || len(f.Agencies) != 3 {
		t.Fatalf("%d structures, %d agencies; want 3 and 3", len(f.Structures), len(f.Agencies))
	}
	a, ok := f.Lookup(chA)
	if !ok {
		t.Fatal("CH-A not found")
	}
	wantA := structures.Digest{Enabled: true, Time: "07:30", Days: []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi"},
		Language: "fr", Attach: true, UrgentHours: 72}
	if !reflect.DeepEqual(a.Digest, wantA) {
		t.Errorf("CH-A digest = %+v, want %+v", a.Digest, wantA)
	}
	if a.Webhook == nil || a.Webhook.SecretEnv != "RPPSYNC_WEBHOOK_SECRET_CHSB" || a.Webhook.Secret != "" {
		t.Errorf("CH-A webhook = %+v", a.Webhook)
	}
	// Left out, the digest settings take their defaults.
	c, _ := f.Lookup(chC)
	wantC := structures.Digest{Enabled: true, Time: structures.DefaultDigestTime, Language: "fr", UrgentHours: structures.DefaultUrgentHours}
	if !reflect.DeepEqual(c.Digest, wantC) {
		t.Errorf("CH-C digest = %+v, want defaults %+v", c.Digest, wantC)
	}
	b, _ := f.Lookup(chB)
	if b.Digest.Time != "06:45" || b.Digest.UrgentHours != 48 || !b.Digest.Enabled {
		t.Errorf("CH-B digest = %+v", b.Digest)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	f := exampleFile(t)
	cases := []struct {
		name   string
		finess string // "" when it must not resolve
	}{
		{"CH SYNTHETIQUE DE BESANCON", chA},
		{"ch synthétique de besançon", chA},
		{"Centre hospitalier synthétique de Besançon", chA}, // the configured name
		{"CENTRE HOSPITALIER SYNTHETIQUE DE BESANCON", chA},
		{"  CHSB-site-Nord ", chA},
		{"C.H.S.B.", ""}, // "C H S B" is not "CHSB": nothing is guessed
		{"CHSB site Sud", ""},
		{"CH Synthétique Besançon", ""},                     // a word missing
		{"Centre hospitalier synthetique de Besancon", chA}, // accents only
		{"CENTRE HOSPITALIER SYNTHETIQUE BESANCON", ""},     // not configured
		{"CH SYNTHETIQUE DE BESANCON, site Nord", ""},       // not configured
		{"HOPITAL FICTIF LYON SUD", chB},                    // the configured name
		{"HOPITAL FICTIF LYON", ""},                         // not configured
		{"Hôpital Fictif – Lyon Sud", chB},                  // the name, dash and case
		{"hopital fictif lyon sud pavillon b", chB},         // an alias, punctuation left out
		{"CLINIQUE EXEMPLE PARIS\nBâtiment A", chC},         // a cell on two lines
		{"clinique exemple paris", chC},                     // the name
		{"", ""},
		{"---", ""},
		{"250999901", ""}, // a FINESS is not a name
	}
	for _, c := range cases {
		got, ok := f.Resolve(c.name)
		if ok != (c.finess != "") || got != c.finess {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.name, got, ok, c.finess)
		}
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	f := exampleFile(t)
	for _, c := range []struct {
		in   string
		want string
	}{
		{"250999901", chA},
		{"250 999 901", chA},
		{"69-099-9909", chB},
		{"250999902", ""}, // wrong key
		{"130000000", ""}, // not configured
		{"", ""},
	} {
		s, ok := f.Lookup(c.in)
		if ok != (c.want != "") || (ok && s.FINESS != c.want) {
			t.Errorf("Lookup(%q) = %v, %v; want %q", c.in, s, ok, c.want)
		}
	}
}

func TestResolveAgency(t *testing.T) {
	t.Parallel()
	f := exampleFile(t)
	for _, c := range []struct{ in, want string }{
		{"Intérim Alpha", "Intérim Alpha"},
		{"INTERIM ALPHA", "Intérim Alpha"},
		{"alpha intérim santé", "Intérim Alpha"},
		{"intérim-beta", "Intérim Beta"},
		{"Intérim Delta", ""},
		{"Alpha", ""},
	} {
		a, ok := f.ResolveAgency(c.in)
		if ok != (c.want != "") || (ok && a.Name != c.want) {
			t.Errorf("ResolveAgency(%q) = %v, %v; want %q", c.in, a, ok, c.want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	f := exampleFile(t)
	b, err := f.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	g, err := structures.Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("the marshalled file does not parse: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(f.Structures, g.Structures) || !reflect.DeepEqual(f.Agencies, g.Agencies) {
		t.Errorf("round trip differs:\n%+v\n%+v", f.Structures, g.Structures)
	}
	// Defaults are written out: the stored form does not depend on this
	// version's defaults.
	if !strings.Contains(string(b), `"urgent_hours": 72`) || !strings.Contains(string(b), `"time": "07:00"`) {
		t.Errorf("defaults not written:\n%s", b)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	s := structures.Structure{FINESS: "250 999 901", Name: "CH A", Contacts: []structures.Contact{{Email: "a@a.fr"}},
		Digest: structures.Digest{Enabled: true}}
	f, err := structures.New([]structures.Structure{s}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := f.Resolve("ch a"); !ok || got != chA {
		t.Errorf("Resolve = %q, %v", got, ok)
	}
	d := f.Structures[0].Digest
	if d.Time != structures.DefaultDigestTime || d.UrgentHours != structures.DefaultUrgentHours || d.Language != "fr" {
		t.Errorf("New did not complete the digest: %+v", d)
	}
	bad := s
	bad.FINESS, bad.Name = "250999902", "CH B"
	_, err = structures.New([]structures.Structure{s, bad}, nil)
	checkProblems(t, err, []problem{{"structure n°2 (FINESS 250999902)", "finess", structures.CodeFINESSChecksum, "clé"}})
}

func TestCheckSecrets(t *testing.T) {
	t.Parallel()
	f := exampleFile(t)
	long := strings.Repeat("k", structures.MinSecretLength)
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if err := f.CheckSecrets(env(map[string]string{"RPPSYNC_WEBHOOK_SECRET_CHSB": long})); err != nil {
		t.Errorf("CheckSecrets with the variable set: %v", err)
	}
	a, _ := f.Lookup(chA)
	if v, err := a.Webhook.SecretValue(env(map[string]string{"RPPSYNC_WEBHOOK_SECRET_CHSB": long})); err != nil || v != long {
		t.Errorf("SecretValue = %q, %v", v, err)
	}
	checkProblems(t, f.CheckSecrets(env(nil)), []problem{{"structure n°1 (FINESS 250999901)", "webhook.secret_env",
		structures.CodeSecretUnset, "RPPSYNC_WEBHOOK_SECRET_CHSB, qui doit contenir le secret du webhook, n'est pas définie"}})
	checkProblems(t, f.CheckSecrets(env(map[string]string{"RPPSYNC_WEBHOOK_SECRET_CHSB": "court"})), []problem{{"structure n°1 (FINESS 250999901)",
		"webhook.secret_env", structures.CodeSecretShort, "moins de 32 caractères"}})
	// An inline secret needs no environment.
	inline := &structures.Webhook{URL: "https://a.example.org", Secret: long}
	if v, err := inline.SecretValue(env(nil)); err != nil || v != long {
		t.Errorf("inline SecretValue = %q, %v", v, err)
	}
	// The messages never quote the secret.
	err := f.CheckSecrets(env(map[string]string{"RPPSYNC_WEBHOOK_SECRET_CHSB": "court"}))
	if strings.Contains(err.Error(), "court") {
		t.Errorf("the message quotes the secret: %v", err)
	}
}

func TestParseTooLarge(t *testing.T) {
	t.Parallel()
	big := `{"version": 1, "structures": [], "pad": "` + strings.Repeat("x", structures.MaxFileSize) + `"}`
	_, err := structures.Parse(strings.NewReader(big))
	checkProblems(t, err, []problem{{"", "", structures.CodeTooLarge, "dépasse 8 Mo"}})
}

func TestZeroFile(t *testing.T) {
	t.Parallel()
	var f structures.File
	if _, ok := f.Resolve("CH A"); ok {
		t.Error("the zero File resolved a name")
	}
	if _, ok := f.Lookup(chA); ok {
		t.Error("the zero File found a FINESS")
	}
	if _, ok := f.ResolveAgency("Alpha"); ok {
		t.Error("the zero File found an agency")
	}
}

func TestRedacted(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("s", structures.MinSecretLength)
	s := structures.Structure{FINESS: chA, Webhook: &structures.Webhook{URL: "https://a.example.org", Secret: secret}}
	r := s.Redacted()
	if r.Webhook.Secret != structures.RedactedSecret || r.Webhook.URL != s.Webhook.URL {
		t.Errorf("Redacted webhook = %+v", r.Webhook)
	}
	if s.Webhook.Secret != secret {
		t.Error("Redacted changed the original")
	}
	env := structures.Structure{Webhook: &structures.Webhook{URL: "https://a.example.org", SecretEnv: "S"}}
	if got := env.Redacted().Webhook.SecretEnv; got != "S" {
		t.Errorf("the variable's name was redacted: %q", got)
	}
	if (structures.Structure{}).Redacted().Webhook != nil {
		t.Error("Redacted invented a webhook")
	}
}

func TestEmails(t *testing.T) {
	t.Parallel()
	f := exampleFile(t)
	a, _ := f.Lookup(chA)
	want := []string{"rpps.plus@chsb.example.org", "drh@chsb.example.org", "rh@chsb.mssante.fr"}
	if got := a.Emails(); !reflect.DeepEqual(got, want) {
		t.Errorf("CH-A Emails = %q, want %q", got, want)
	}
	s := structures.Structure{Contacts: []structures.Contact{{Email: "RH@a.fr"}, {Email: "rh@a.fr"}}, MSSante: "rh@a.mssante.fr"}
	if got := s.Emails(); !reflect.DeepEqual(got, []string{"RH@a.fr", "rh@a.mssante.fr"}) {
		t.Errorf("Emails with a duplicate = %q", got)
	}
	g, _ := f.ResolveAgency("Intérim Gamma")
	if got := g.Emails(); got != nil {
		t.Errorf("an agency without contacts has Emails %q", got)
	}
	if got := a.Digest.UrgentWithin(); got != 72*time.Hour {
		t.Errorf("UrgentWithin = %v", got)
	}
}
