package structures

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync/matcher"
)

// Version is the only version of the file format this package reads.
const Version = 1

// MaxFileSize bounds what Parse reads: a configuration of thousands of
// structures is far smaller.
const MaxFileSize = 8 << 20

// Default digest settings, applied by Parse where the file leaves them out.
const (
	DefaultDigestTime  = "07:00"
	DefaultUrgentHours = 72
	DefaultLanguage    = "fr"
)

// Days are the day names the digest accepts, Monday first; a digest with
// no days listed is sent every day.
var Days = []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}

// Roles a contact may have. A structure's contacts all receive its digest;
// the role says who they are (and lets a later version route messages).
const (
	RoleRPPSManager = "gestionnaire_rpps" // gestionnaire RPPS+: validates registrations on Portail RPPS+
	RoleHR          = "rh"                // ressources humaines
	RoleManagement  = "direction"         // direction, direction des soins
	RoleIT          = "informatique"      // informatique, identitovigilance
	RoleOther       = "autre"
)

// roles is the set of accepted contact roles ("" means unspecified).
var roles = map[string]bool{"": true, RoleRPPSManager: true, RoleHR: true, RoleManagement: true, RoleIT: true, RoleOther: true}

// File is a loaded configuration: the structures and agencies rppsync knows,
// with an index of the names agencies write. Build one with Parse or New;
// the zero File knows nothing. A File is read-only once built and safe for
// concurrent use.
type File struct {
	Version    int         `json:"version"`
	Structures []Structure `json:"structures"`
	Agencies   []Agency    `json:"agencies"`

	byFINESS      map[string]int // FINESS → index in Structures
	byName        map[string]int // folded name or alias → index in Structures
	agencyByName  map[string]int // folded name or alias → index in Agencies
	agencyByExact map[string]int // name as configured → index in Agencies
}

// Structure is a hospital, clinic or care home (one FINESS géographique)
// and what it receives.
type Structure struct {
	// FINESS is the structure's FINESS number, normalised (9 characters,
	// upper-case 2A/2B).
	FINESS string `json:"finess"`
	// Name is the structure's name as HR writes it; it also resolves.
	Name string `json:"name"`
	// Aliases are the names agencies write in their files for this
	// structure ("CH SYNTHETIQUE DE BESANCON", "CHSB site Nord"). A name
	// resolves when it folds (namekey.Fold) to Name or one of them.
	Aliases []string `json:"aliases"`
	// Contacts receive the structure's digest.
	Contacts []Contact `json:"contacts"`
	// MSSante is the structure's MSSanté (secure health mail) address,
	// "" when it has none. Messages that carry personal data go there.
	MSSante string `json:"mssante"`
	// Webhook is called with each digest, nil when none is configured.
	Webhook *Webhook `json:"webhook"`
	// Digest says when and how the structure's digest is sent.
	Digest Digest `json:"digest"`
}

// Contact is a person or a team mailbox of a structure or an agency.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	// Role is one of the Role* constants, or "" when unspecified.
	Role string `json:"role"`
}

// Webhook is an HTTPS endpoint that receives signed notifications. Exactly
// one of Secret and SecretEnv is set: SecretEnv names an environment
// variable that holds the secret, so that the secret stays out of the file
// and out of the database (see CheckSecrets); Secret is the secret itself,
// which is then stored in the database with the configuration.
type Webhook struct {
	URL       string `json:"url"`
	Secret    string `json:"secret,omitempty"`
	SecretEnv string `json:"secret_env,omitempty"`
}

// Digest configures a structure's digest of its validation queue.
type Digest struct {
	// Enabled is false when the structure asked for no digest. Default: true.
	Enabled bool `json:"enabled"`
	// Time is the local time of day ("HH:MM") the digest is sent. Default:
	// DefaultDigestTime.
	Time string `json:"time"`
	// Days are the days (elements of Days) the digest is sent; empty means
	// every day.
	Days []string `json:"days"`
	// Language is the language of the digest: only "fr" today.
	Language string `json:"language"`
	// Attach asks for the queue as an XLSX attachment. Default: false.
	Attach bool `json:"attach"`
	// UrgentHours is how close to a contract's start (in hours) its items
	// are flagged urgent in the digest. Default: DefaultUrgentHours.
	UrgentHours int `json:"urgent_hours"`
}

// Agency is a temp agency and the people who receive its fix lists.
type Agency struct {
	// Name is the agency's name, as recorded with its imported files.
	Name string `json:"name"`
	// Aliases are other spellings of the agency's name that resolve to it.
	Aliases []string `json:"aliases"`
	// Contacts receive the agency's fix lists.
	Contacts []Contact `json:"contacts"`
}

// Parse reads a configuration file (JSON, see the package documentation),
// validates it entirely and returns it with its defaults applied. When
// anything is wrong the error is a *ConfigError listing every problem in
// French, naming the entry and the field; it matches ErrInvalid.
func Parse(r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("lecture de la configuration des structures : %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, configError(Problem{Code: CodeTooLarge, Message: fmt.Sprintf(
			"Le fichier de configuration dépasse %d Mo : ce n'est sans doute pas le bon fichier.", MaxFileSize>>20)})
	}
	var ps problems
	raw := decodeFile(data, &ps)
	if len(ps) > 0 {
		return nil, configError(ps...)
	}
	f := &File{Version: Version}
	for _, rs := range raw.structures {
		f.Structures = append(f.Structures, rs.structure())
	}
	for _, ra := range raw.agencies {
		f.Agencies = append(f.Agencies, ra.agency())
	}
	if err := f.index(); err != nil {
		return nil, err
	}
	return f, nil
}

// New validates structures and agencies as Parse does and returns them as a
// File (the store rebuilds one from the database this way). FINESS numbers
// are normalised; defaults are not applied: give complete values.
func New(structures []Structure, agencies []Agency) (*File, error) {
	f := &File{Version: Version, Structures: structures, Agencies: agencies}
	if err := f.index(); err != nil {
		return nil, err
	}
	return f, nil
}

// Resolve returns the FINESS of the structure whose name or one of whose
// aliases is name, compared folded (accents, case and punctuation
// ignored: namekey.Fold). Nothing else is guessed: "CH" is not "Centre
// hospitalier", and a name that is not configured does not resolve.
func (f *File) Resolve(name string) (finess string, ok bool) {
	k := namekey.Fold(name)
	if k == "" {
		return "", false
	}
	i, ok := f.byName[k]
	if !ok {
		return "", false
	}
	return f.Structures[i].FINESS, true
}

// Lookup returns the structure of a FINESS number, written with or without
// separators.
func (f *File) Lookup(finess string) (*Structure, bool) {
	n, err := matcher.ValidFINESS(finess)
	if err != nil {
		return nil, false
	}
	i, ok := f.byFINESS[n]
	if !ok {
		return nil, false
	}
	return &f.Structures[i], true
}

// ResolveAgency returns the agency whose name or one of whose aliases is
// name, compared folded as Resolve does.
func (f *File) ResolveAgency(name string) (*Agency, bool) {
	if i, ok := f.agencyByExact[name]; ok {
		return &f.Agencies[i], true
	}
	k := namekey.Fold(name)
	if k == "" {
		return nil, false
	}
	i, ok := f.agencyByName[k]
	if !ok {
		return nil, false
	}
	return &f.Agencies[i], true
}

// Names returns the folded forms (namekey.Fold) of the structure's name and
// aliases, each once, its name first; the store indexes them.
func (s *Structure) Names() []string { return foldedNames(s.Name, s.Aliases) }

// Names returns the folded name and aliases of the agency, its name first.
func (a *Agency) Names() []string { return foldedNames(a.Name, a.Aliases) }

// Emails returns the addresses the structure's digest goes to: its
// contacts' and its MSSanté address, each once, in the file's order.
func (s *Structure) Emails() []string {
	return emails(s.Contacts, s.MSSante)
}

// Emails returns the addresses the agency's fix lists go to, each once.
func (a *Agency) Emails() []string { return emails(a.Contacts, "") }

// emails returns the contacts' addresses and extra, without duplicates
// (compared case-insensitively).
func emails(cs []Contact, extra string) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range append(contactEmails(cs), extra) {
		k := strings.ToLower(e)
		if e != "" && !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

func contactEmails(cs []Contact) []string {
	out := make([]string, 0, len(cs)+1)
	for _, c := range cs {
		out = append(out, c.Email)
	}
	return out
}

// UrgentWithin returns UrgentHours as a duration.
func (d Digest) UrgentWithin() time.Duration { return time.Duration(d.UrgentHours) * time.Hour }

// foldedNames folds name and aliases, without duplicates, name first.
func foldedNames(name string, aliases []string) []string {
	out := []string{namekey.Fold(name)}
	seen := map[string]bool{out[0]: true}
	for _, a := range aliases {
		k := namekey.Fold(a)
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// RedactedSecret replaces an inline webhook secret in what Redacted
// returns.
const RedactedSecret = "(masqué)"

// Redacted returns a copy of s fit to print (rppsync structures list): an
// inline webhook secret is replaced by RedactedSecret. The name of a
// secret_env variable is kept: it is not the secret.
func (s Structure) Redacted() Structure {
	if s.Webhook != nil && s.Webhook.Secret != "" {
		w := *s.Webhook
		w.Secret = RedactedSecret
		s.Webhook = &w
	}
	return s
}

// SecretValue returns the webhook's secret: Secret, or the value of the
// environment variable SecretEnv looked up with getenv (os.LookupEnv in
// the binary). It fails with a *ConfigError when the variable is unset or
// its value too short.
func (w *Webhook) SecretValue(getenv func(string) (string, bool)) (string, error) {
	if w.SecretEnv == "" {
		return w.Secret, nil
	}
	v, ok := getenv(w.SecretEnv)
	if !ok || v == "" {
		return "", configError(Problem{Field: "webhook.secret_env", Code: CodeSecretUnset, Message: fmt.Sprintf(
			"La variable d'environnement %s, qui doit contenir le secret du webhook, n'est pas définie : définissez-la pour le service rppsync.", w.SecretEnv)})
	}
	if len(v) < MinSecretLength {
		return "", configError(Problem{Field: "webhook.secret_env", Code: CodeSecretShort, Message: fmt.Sprintf(
			"Le secret contenu dans la variable d'environnement %s compte moins de %d caractères : générez-en un plus long (par exemple avec « openssl rand -hex 32 »).", w.SecretEnv, MinSecretLength)})
	}
	return v, nil
}

// CheckSecrets checks that every webhook's secret can be read, looking
// environment variables up with getenv (os.LookupEnv in the binary): the
// command that loads the configuration calls it so that a missing variable
// is reported when the file is loaded, not at the first delivery. The
// error is a *ConfigError naming each structure concerned.
func (f *File) CheckSecrets(getenv func(string) (string, bool)) error {
	var ps problems
	for i := range f.Structures {
		s := &f.Structures[i]
		if s.Webhook == nil {
			continue
		}
		if _, err := s.Webhook.SecretValue(getenv); err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) {
				for _, p := range ce.Problems {
					p.Entry = entryName("structure", i, s.FINESS)
					ps = append(ps, p)
				}
				continue
			}
			return err
		}
	}
	if len(ps) > 0 {
		return configError(ps...)
	}
	return nil
}

// MarshalJSON writes the file in the format Parse reads, defaults
// included, so that what it writes parses to the same File.
func (f *File) MarshalJSON() ([]byte, error) {
	type plain File // without the method
	p := plain(*f)
	p.Version = Version
	if p.Structures == nil {
		p.Structures = []Structure{}
	}
	if p.Agencies == nil {
		p.Agencies = []Agency{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// index validates the file's structures and agencies together and builds
// the lookup maps.
func (f *File) index() error {
	var ps problems
	if len(f.Structures) == 0 {
		ps.add("", "structures", CodeNoStructure,
			"Le fichier ne décrit aucune structure : ajoutez au moins une entrée dans « structures » (le chargement remplace toute la configuration).")
	}
	f.byFINESS = make(map[string]int, len(f.Structures))
	f.byName = make(map[string]int, 2*len(f.Structures))
	owner := map[string]string{} // folded name → entry that claimed it
	for i := range f.Structures {
		s := &f.Structures[i]
		entry := entryName("structure", i, s.FINESS)
		if n, ok := validateStructure(s, entry, &ps); ok {
			s.FINESS = n
			entry = entryName("structure", i, n)
			if j, dup := f.byFINESS[n]; dup {
				ps.add(entry, "finess", CodeFINESSDuplicate, fmt.Sprintf(
					"Le FINESS %s est déjà celui de la structure n°%d : une structure ne peut être décrite qu'une fois ; fusionnez les deux entrées.", n, j+1))
			} else {
				f.byFINESS[n] = i
			}
		}
		for k, name := range append([]string{s.Name}, s.Aliases...) {
			key := namekey.Fold(name)
			if key == "" {
				continue // reported by validateStructure
			}
			if prev, ok := owner[key]; ok && f.byName[key] != i {
				field := "name"
				if k > 0 {
					field = fmt.Sprintf("aliases[%d]", k)
				}
				ps.add(entry, field, CodeAliasConflict, fmt.Sprintf(
					"Le nom « %s » désigne déjà la %s : un même nom ne peut pas mener à deux structures ; retirez-le de l'une des deux.", name, prev))
				continue
			}
			owner[key] = entry
			f.byName[key] = i
		}
	}
	f.agencyByName = make(map[string]int, len(f.Agencies))
	f.agencyByExact = make(map[string]int, len(f.Agencies))
	agencyOwner := map[string]string{}
	for i := range f.Agencies {
		a := &f.Agencies[i]
		entry := entryName("agence", i, "")
		validateAgency(a, entry, &ps)
		if strings.TrimSpace(a.Name) != "" {
			f.agencyByExact[a.Name] = i
		}
		for k, name := range append([]string{a.Name}, a.Aliases...) {
			key := namekey.Fold(name)
			if key == "" {
				continue
			}
			if prev, ok := agencyOwner[key]; ok && f.agencyByName[key] != i {
				field := "name"
				code := CodeAgencyDuplicate
				if k > 0 {
					field = fmt.Sprintf("aliases[%d]", k)
					code = CodeAliasConflict
				}
				ps.add(entry, field, code, fmt.Sprintf(
					"Le nom « %s » désigne déjà l'%s : un même nom ne peut pas mener à deux agences ; retirez-le de l'une des deux.", name, prev))
				continue
			}
			agencyOwner[key] = entry
			f.agencyByName[key] = i
		}
	}
	if len(ps) > 0 {
		return configError(ps...)
	}
	return nil
}

// entryName names the i-th entry of a list as a person reads it:
// "structure n°2 (FINESS 250999901)", "agence n°1".
func entryName(kind string, i int, finess string) string {
	s := fmt.Sprintf("%s n°%d", kind, i+1)
	if f := strings.TrimSpace(finess); f != "" && len(f) <= 20 {
		s += fmt.Sprintf(" (FINESS %s)", f)
	}
	return s
}

// Due reports whether the structure's digest is due at now (in the zone of
// now: the structures' local time) when the last one was sent at last (the
// zero time for never): now falls on one of its Days (every day when
// none), at or after its Time, and nothing was sent since that Time today.
// A disabled digest is never due.
func (d Digest) Due(now, last time.Time) bool {
	if !d.Enabled {
		return false
	}
	if len(d.Days) > 0 {
		// Days are in French, Monday first; time.Weekday is Sunday first.
		day := Days[(int(now.Weekday())+6)%7]
		found := false
		for _, x := range d.Days {
			found = found || x == day
		}
		if !found {
			return false
		}
	}
	at, err := time.Parse("15:04", cmp.Or(d.Time, DefaultDigestTime))
	if err != nil {
		return false
	}
	y, m, dd := now.Date()
	slot := time.Date(y, m, dd, at.Hour(), at.Minute(), 0, 0, now.Location())
	return !now.Before(slot) && last.Before(slot)
}
