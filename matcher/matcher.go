package matcher

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
)

// Directory is the national directory as the matcher reads it. Both calls
// are batches: Check makes at most one of each per call, never one per row.
type Directory interface {
	// Professionals returns the directory professionals with these RPPS
	// numbers, keyed by RPPS; numbers absent from the directory are absent
	// from the map.
	Professionals(ctx context.Context, rpps []string) (map[string]rppsync.Professional, error)
	// ByNameKeys returns, for each key of s.Keys() (see namekey.Keys), the
	// professionals indexed under it whose names s.Keep accepts; keys with
	// no one are absent. It may return people s would refuse (they are
	// scored and dropped), never leave out one it accepts. It calls s from
	// its own goroutine only: a NameSearch is not safe for concurrent use.
	ByNameKeys(ctx context.Context, s *NameSearch) (map[string][]rppsync.Professional, error)
	// JuridiqueSites returns, for each number of finess that the directory
	// knows as the FINESS of a legal entity ("Numéro FINESS établissement
	// juridique" of activities with a site) and never as a site ("Numéro
	// FINESS site"), the distinct sites of those activities, sorted by
	// FINESS, each named by the least of its site names (byte order);
	// other numbers are absent from the map.
	JuridiqueSites(ctx context.Context, finess []string) (map[string][]rppsync.Site, error)
}

// PlaceResolver turns a typed birth place into its INSEE code (matcher/insee).
// It returns "" and an issue when the place cannot be resolved, and a code
// with an issue when it had to assume something to reach it (the issue then
// says what, and the code is kept).
type PlaceResolver interface {
	ResolveBirthPlace(place, dept, country string, born rppsync.Date) (code string, issue *rppsync.Issue)
}

// PlaceDetailer is a PlaceResolver that also gives the birth place in full
// (today's code and name, the assumptions made): the verdict then carries
// it (Verdict.BirthPlace) into the RPPS+ pre-fill.
type PlaceDetailer interface {
	BirthPlace(place, dept, country string, born rppsync.Date) (rppsync.BirthPlace, *rppsync.Issue)
}

// Defaults of Config.
const (
	DefaultMinScore      = 0.85
	DefaultMaxCandidates = 5
)

// Weights of a candidate's score: the name similarity (NameMatch.Score),
// the profession evidence (1 same profession, 0.5 unknown on either side,
// 0 another profession) and the FINESS evidence (1 when the directory shows
// an activity at the row's FINESS, as site or legal entity).
const (
	NameWeight       = 0.80
	ProfessionWeight = 0.12
	FINESSWeight     = 0.08
)

// Candidate gates: a directory person whose last or first name is further
// than this from the row's is never a candidate, whatever the evidence.
const (
	minLastSim  = 0.82
	minFirstSim = 0.85
)

// Config configures a Matcher. The zero value is usable: no directory, no
// birth-place resolution, default thresholds.
type Config struct {
	Directory     Directory     // nil: no directory (rows are unchecked or to_register)
	Places        PlaceResolver // nil: birth places are not resolved (birth_insee null)
	MinScore      float64       // a candidate scores at least this; 0 means DefaultMinScore
	MaxCandidates int           // at most this many candidates per row; 0 means DefaultMaxCandidates
}

// ErrConfig is returned by New when a Config value is out of range.
var ErrConfig = errors.New("matcher: invalid configuration")

// Matcher checks agency records against the directory. It is safe for
// concurrent use when its Directory and PlaceResolver are.
type Matcher struct {
	dir      Directory
	places   PlaceResolver
	minScore float64
	maxCand  int
}

// New returns a Matcher for cfg, with zero values replaced by the defaults.
func New(cfg Config) (*Matcher, error) {
	if cfg.MinScore < 0 || cfg.MinScore > 1 || math.IsNaN(cfg.MinScore) {
		return nil, fmt.Errorf("%w: MinScore %v is outside [0,1]", ErrConfig, cfg.MinScore)
	}
	if cfg.MaxCandidates < 0 {
		return nil, fmt.Errorf("%w: MaxCandidates %d is negative", ErrConfig, cfg.MaxCandidates)
	}
	return &Matcher{
		dir:      cfg.Directory,
		places:   cfg.Places,
		minScore: cmp.Or(cfg.MinScore, DefaultMinScore),
		maxCand:  cmp.Or(cfg.MaxCandidates, DefaultMaxCandidates),
	}, nil
}

// Issue codes the matcher adds besides those of CONTRACT.md.
const (
	CodeIdentityMismatch  = "identity_mismatch"  // the RPPS belongs to someone else
	CodeRPPSUnknown       = "rpps_unknown"       // valid RPPS absent from the directory
	CodeRPPSMissing       = "rpps_missing"       // no identifier given
	CodeNameDiffers       = "name_differs"       // matched, but the name is spelled differently
	CodeProfessionDiffers = "profession_differs" // matched, but the directory has another profession
	CodeNameTooLong       = "name_too_long"      // a name of more than MaxNameRunes characters
	// CodeFINESSJuridique: the FINESS given is a legal entity's with one
	// site in the directory; the row is tied to that site.
	CodeFINESSJuridique = "finess_juridique"
	// CodeFINESSJuridiqueSites: the FINESS given is a legal entity's with
	// several sites; the agency must say which (the row is tied to none).
	CodeFINESSJuridiqueSites = "finess_juridique_sites"
)

// MaxNameRunes bounds the names of a row (last, usage and first name).
// Real names are a few dozen letters; a cell of thousands (a column of
// notes taken for the names, a broken export) is no name, and its search
// keys would grow with the square of its length: such a row is invalid,
// with an issue saying why, and searches nothing.
const MaxNameRunes = 200

// Invalidates reports whether a record issue makes the row unusable
// (status invalid): a missing name, an unreadable contract date, or a
// contract that ends before it starts. Every other record issue (a stray
// column…) is carried on the verdict but leaves the status to the
// identifier and the directory; the one exception, decided by Check, is a
// birth date that does not exist on a row with no identifier: such a row
// could only lead to a registration, which needs it, so it is invalid.
func Invalidates(is rppsync.Issue) bool {
	switch is.Code {
	case rppsync.CodeNameMissing, rppsync.CodeContractDatesReversed, CodeNameTooLong:
		return true
	case rppsync.CodeDateInvalid:
		return is.Field == string(rppsync.FieldContractStart) || is.Field == string(rppsync.FieldContractEnd)
	}
	return false
}

// row is a record prepared for matching.
type row struct {
	names   *comparer // shared by the rows of one Check; nil outside Check
	rec     *rppsync.Record
	ident   Ident
	given   bool // an identifier was typed
	name    PersonName
	prof    Profession
	profOK  bool
	finess  string // normalised FINESS, "" when absent or invalid
	invalid bool
	issues  []rppsync.Issue // matcher issues found before the directory
}

func prepare(rec *rppsync.Record) row {
	r := row{rec: rec}
	typed := rec.Identifier
	if typed == "" {
		typed = rec.Original[rppsync.FieldIdentifier]
	}
	r.ident = ParseIdentifier(typed)
	r.given = strings.TrimSpace(typed) != ""
	r.name = PersonName{Last: rec.LastName.Display, Usage: rec.UsageName.Display, First: rec.FirstName.Display}
	r.prof, r.profOK = LookupProfession(rec.Profession)

	has := func(code, field string) bool {
		for _, is := range rec.Issues {
			if is.Code == code && (field == "" || is.Field == field) {
				return true
			}
		}
		return false
	}
	for _, is := range rec.Issues {
		if Invalidates(is) {
			r.invalid = true
		}
		// With no identifier, the row can only lead to a registration,
		// and a registration needs a birth date that exists.
		if !r.given && is.Code == rppsync.CodeDateInvalid && is.Field == string(rppsync.FieldBirthDate) {
			r.invalid = true
		}
	}
	if strings.TrimSpace(namekey.Fold(r.name.Last)+namekey.Fold(r.name.Usage)) == "" {
		r.invalid = true
		if !has(rppsync.CodeNameMissing, string(rppsync.FieldLastName)) {
			r.issues = append(r.issues, rppsync.Issue{Field: string(rppsync.FieldLastName), Code: rppsync.CodeNameMissing,
				Message: "Le nom de famille est vide : demandez à l'agence de le compléter, la ligne ne peut pas être traitée sans lui."})
		}
	}
	if namekey.Fold(r.name.First) == "" {
		r.invalid = true
		if !has(rppsync.CodeNameMissing, string(rppsync.FieldFirstName)) {
			r.issues = append(r.issues, rppsync.Issue{Field: string(rppsync.FieldFirstName), Code: rppsync.CodeNameMissing,
				Message: "Le prénom est vide : demandez à l'agence de le compléter, la ligne ne peut pas être traitée sans lui."})
		}
	}
	for _, n := range [...]struct {
		field rppsync.Field
		what  string
		v     string
	}{
		{rppsync.FieldLastName, "nom", r.name.Last},
		{rppsync.FieldUsageName, "nom d'usage", r.name.Usage},
		{rppsync.FieldFirstName, "prénom", r.name.First},
	} {
		if len(n.v) > MaxNameRunes && utf8.RuneCountInString(n.v) > MaxNameRunes {
			r.invalid = true
			r.issues = append(r.issues, rppsync.Issue{Field: string(n.field), Code: CodeNameTooLong, Message: fmt.Sprintf(
				"Le %s fait plus de %d caractères : ce n'est pas un nom (une autre colonne, un export abîmé ?), "+
					"demandez à l'agence de corriger la ligne.", n.what, MaxNameRunes)})
		}
	}
	if !rec.Start.IsZero() && !rec.End.IsZero() && rec.End.Before(rec.Start) {
		r.invalid = true
		if !has(rppsync.CodeContractDatesReversed, "") {
			r.issues = append(r.issues, rppsync.Issue{Field: string(rppsync.FieldContractEnd), Code: rppsync.CodeContractDatesReversed,
				Message: fmt.Sprintf("La mission finit le %s, avant son début le %s : demandez à l'agence de corriger les dates de mission.",
					frDate(rec.End), frDate(rec.Start))})
		}
	}
	r.issues = append(r.issues, r.ident.Issues...)
	if f := strings.TrimSpace(rec.FINESS); f != "" {
		n, err := ValidFINESS(f)
		var ie *IdentifierError
		switch {
		case err == nil:
			r.finess = n
		case errors.As(err, &ie):
			r.issues = append(r.issues, rppsync.Issue{Field: string(rppsync.FieldFINESS), Code: ie.Code, Message: ie.Error()})
		}
	}
	return r
}

func frDate(d rppsync.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// lookups says what a prepared row needs from the directory.
func (r *row) rppsWanted() string {
	if r.invalid || !r.ident.Valid {
		return ""
	}
	return r.ident.RPPS
}

// eachKeyWanted calls fn with the keys of every name the row could be
// filed under in the directory: all namekey.Keys (exact and one-typo) of the
// birth and usage names (only the exact key when the row carries a
// well-formed RPPS), and only the exact key of each word of a compound
// name and of the first name (for rows typed with first and last name
// swapped). A typo on top of a swap or inside one word of a compound name
// is not searched: the one-typo keys of first names and name parts hit
// thousands of people (D:MARI is the neighbourhood of every MARIN) for no
// measured recall. Each key is built in buf, as namekey.EachKey does: fn must
// not keep it. It returns buf for the next call.
func (r *row) eachKeyWanted(buf []byte, fn func(key []byte)) []byte {
	if r.invalid {
		return buf
	}
	// A row with a well-formed RPPS searches candidates only when that
	// number turns out absent or someone else's, as a help to fix it: exact
	// names are enough there, and they keep the in-memory directory, which
	// must hold every key any row may ask for, small.
	typos := !r.given || !r.ident.Valid
	for i, n := range []string{r.name.Last, r.name.Usage, r.name.First} {
		f := namekey.Fold(n)
		if i >= 2 || !typos {
			buf = namekey.EachExactKey([]byte(f), buf, fn)
		} else {
			buf = namekey.EachKey([]byte(f), buf, fn)
		}
		if words := strings.Fields(f); len(words) > 1 {
			for _, w := range words {
				if len(w) >= 3 {
					buf = namekey.EachExactKey([]byte(w), buf, fn)
				}
			}
		}
	}
	return buf
}

// searches reports whether the row looks for name candidates once its RPPS
// was looked up: rows without a usable RPPS, and rows whose RPPS is absent
// from the directory or belongs to someone else.
func (r *row) searches(byRPPS map[string]rppsync.Professional) bool {
	if r.invalid {
		return false
	}
	if !r.given || !r.ident.Valid {
		return true
	}
	pro, ok := byRPPS[r.ident.RPPS]
	return !ok || !r.names.compare(r.name, pro.LastName, pro.FirstName).Same()
}

// Wanted returns what a directory must hold to check recs with a Matcher
// whose MinScore is minScore (0: DefaultMinScore): the RPPS numbers to look
// up, sorted and without duplicates, and the name search of every row, as
// if each row were to look for candidates. An in-memory directory keeps
// only the people these RPPS and this search (Keys, then Keep) select;
// Check asks for these RPPS and, once they are known, searches the names
// of the rows that still look for candidates (a subset).
func Wanted(recs []rppsync.Record, minScore float64) (rpps []string, names *NameSearch) {
	w := NewWanted(minScore, len(recs))
	w.Add(recs)
	return w.Result()
}

// WantedBuilder computes Wanted over records given in runs, in their
// order: a caller reading files adds each run of records as it is read,
// on a goroutine of its own, and the result is Wanted of all of them.
type WantedBuilder struct {
	rpps   []string
	finess map[string]bool
	search *searchBuilder
}

// NewWanted returns the builder of Wanted(…, minScore) for about n
// records (a size hint).
func NewWanted(minScore float64, n int) *WantedBuilder {
	return &WantedBuilder{finess: map[string]bool{}, search: newSearchBuilder(cmp.Or(minScore, DefaultMinScore), n)}
}

// Add adds recs, the records that follow those added before. It does not
// keep recs.
func (w *WantedBuilder) Add(recs []rppsync.Record) {
	rows := make([]*row, len(recs))
	for i := range recs {
		r := prepare(&recs[i])
		rows[i] = &r
		if n := r.rppsWanted(); n != "" {
			w.rpps = append(w.rpps, n)
		}
		if r.finess != "" {
			w.finess[r.finess] = true
		}
	}
	w.search.add(rows)
}

// FINESS returns the valid FINESS numbers of the records added, sorted:
// those Check may ask Directory.JuridiqueSites about. It may be called
// before or after Result.
func (w *WantedBuilder) FINESS() []string {
	out := make([]string, 0, len(w.finess))
	for f := range w.finess {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// Result returns Wanted of every record added; the builder must not be
// used afterwards.
func (w *WantedBuilder) Result() (rpps []string, names *NameSearch) {
	slices.Sort(w.rpps)
	return slices.Compact(w.rpps), w.search.finish()
}

// Check returns one Verdict per record, in the same order. It asks the
// directory at most once for RPPS numbers and once for name keys, whatever
// the number of records. It returns an error only when the context ends or
// the directory fails; row problems are verdicts, not errors.
func (m *Matcher) Check(ctx context.Context, recs []rppsync.Record) ([]rppsync.Verdict, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("matcher: check: %w", err)
	}
	rows := make([]row, len(recs))
	for i := range recs {
		rows[i] = prepare(&recs[i])
	}
	var (
		byRPPS map[string]rppsync.Professional
		byKey  map[string][]rppsync.Professional
		byJur  map[string][]rppsync.Site
	)
	names := newComparer()
	for i := range rows {
		rows[i].names = names
	}
	if m.dir != nil {
		var rpps []string
		for i := range rows {
			if n := rows[i].rppsWanted(); n != "" {
				rpps = append(rpps, n)
			}
		}
		slices.Sort(rpps)
		rpps = slices.Compact(rpps)
		var err error
		if len(rpps) > 0 {
			if byRPPS, err = m.dir.Professionals(ctx, rpps); err != nil {
				return nil, fmt.Errorf("matcher: look up %d RPPS numbers: %w", len(rpps), err)
			}
		}
		var finess []string
		for i := range rows {
			if rows[i].finess != "" {
				finess = append(finess, rows[i].finess)
			}
		}
		slices.Sort(finess)
		if finess = slices.Compact(finess); len(finess) > 0 {
			if byJur, err = m.dir.JuridiqueSites(ctx, finess); err != nil {
				return nil, fmt.Errorf("matcher: look up %d FINESS numbers: %w", len(finess), err)
			}
		}
		// Only rows that will look for candidates search names: a matched
		// RPPS needs none.
		var searching []*row
		for i := range rows {
			if rows[i].searches(byRPPS) {
				searching = append(searching, &rows[i])
			}
		}
		if s := newNameSearch(searching, m.minScore); len(s.Keys()) > 0 {
			if byKey, err = m.dir.ByNameKeys(ctx, s); err != nil {
				return nil, fmt.Errorf("matcher: search %d name keys: %w", len(s.Keys()), err)
			}
		}
	}
	out := make([]rppsync.Verdict, len(rows))
	for i := range rows {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("matcher: check: %w", err)
			}
		}
		out[i] = m.verdict(&rows[i], byRPPS, byKey)
		juridique(&out[i], rows[i].finess, byJur[rows[i].finess])
	}
	return out, nil
}

func (m *Matcher) verdict(r *row, byRPPS map[string]rppsync.Professional, byKey map[string][]rppsync.Professional) rppsync.Verdict {
	rec := r.rec
	v := rppsync.Verdict{
		Sheet:         rppsync.Ptr(rec.Sheet),
		Row:           rec.Row,
		RPPS:          rppsync.Ptr(r.ident.RPPS),
		LastName:      rppsync.Ptr(cmp.Or(rec.LastName.Display, rec.UsageName.Display)),
		FirstName:     rppsync.Ptr(rec.FirstName.Display),
		FINESS:        rppsync.Ptr(r.finess),
		ContractStart: rec.Start,
		ContractEnd:   rec.End,
		Issues:        append(slices.Clone(rec.Issues), r.issues...),
		Candidates:    []rppsync.Candidate{},
	}
	if v.Issues == nil {
		v.Issues = []rppsync.Issue{}
	}
	prof, profOK := r.prof, r.profOK
	var profIssue *rppsync.Issue
	if !profOK {
		profIssue = professionUnknown(rec.Profession)
	}
	if m.places != nil && (rec.BirthPlace != "" || rec.Country != "") {
		var (
			code string
			is   *rppsync.Issue
		)
		if pd, ok := m.places.(PlaceDetailer); ok {
			var bp rppsync.BirthPlace
			bp, is = pd.BirthPlace(rec.BirthPlace, rec.BirthDept, rec.Country, rec.BirthDate)
			if code = bp.Code; code != "" {
				v.BirthPlace = &bp
			}
		} else {
			code, is = m.places.ResolveBirthPlace(rec.BirthPlace, rec.BirthDept, rec.Country, rec.BirthDate)
		}
		v.BirthINSEE = rppsync.Ptr(code)
		if is != nil {
			v.Issues = append(v.Issues, *is)
		}
	}

	switch {
	case r.invalid:
		v.Status = rppsync.StatusInvalid
	case r.given && !r.ident.Valid:
		v.Status = rppsync.StatusRPPSInvalid
		v.Candidates = m.candidates(r, byKey, "")
	case r.given && m.dir == nil:
		v.Status = rppsync.StatusUnchecked
	case r.given:
		pro, ok := byRPPS[r.ident.RPPS]
		if !ok {
			v.Status = rppsync.StatusRPPSUnknown
			v.Issues = append(v.Issues, rppsync.Issue{Field: IssueFieldRPPS, Code: CodeRPPSUnknown, Message: fmt.Sprintf(
				"Le RPPS %s est bien formé mais absent de l'annuaire santé : vérifiez-le avec l'agence "+
					"(un numéro attribué depuis moins de 48 heures peut ne pas encore y figurer).", r.ident.RPPS)})
			v.Candidates = m.candidates(r, byKey, "")
			break
		}
		nm := r.names.compare(r.name, pro.LastName, pro.FirstName)
		if !nm.Same() {
			v.Status = rppsync.StatusIdentityMismatch
			v.Issues = append(v.Issues, rppsync.Issue{Field: IssueFieldRPPS, Code: CodeIdentityMismatch, Message: fmt.Sprintf(
				"Le RPPS %s appartient dans l'annuaire à un autre professionnel (%s) : demandez à l'agence de vérifier "+
					"le numéro et l'identité de l'intérimaire.", r.ident.RPPS, professionLabel(pro))})
			v.Candidates = m.candidates(r, byKey, r.ident.RPPS)
			break
		}
		v.Status = rppsync.StatusMatched
		if !nm.Exact() {
			v.Issues = append(v.Issues, rppsync.Issue{Field: string(rppsync.FieldLastName), Code: CodeNameDiffers, Message: fmt.Sprintf(
				"Le nom ou le prénom est écrit autrement que dans l'annuaire pour le RPPS %s (%s) : vérifiez l'orthographe "+
					"avec l'agence, le RPPS+ reprend le nom de l'annuaire.", r.ident.RPPS, strings.Join(nm.Reasons, ", "))})
		}
		dp, dok := directoryProfession(pro)
		switch {
		case !profOK && dok:
			// The directory says what the agency did not: no issue to raise.
			prof, profOK, profIssue = dp, true, nil
		case profOK && dok && prof.Code != "" && dp.Code != "" && prof.Code != dp.Code:
			v.Issues = append(v.Issues, rppsync.Issue{Field: string(rppsync.FieldProfession), Code: CodeProfessionDiffers, Message: fmt.Sprintf(
				"La profession indiquée (%s) n'est pas celle de l'annuaire pour ce RPPS (%s) : vérifiez-la avec l'agence.",
				prof.Label, dp.Label)})
		}
	case m.dir == nil:
		v.Status = rppsync.StatusToRegister
		v.Issues = append(v.Issues, rppsync.Issue{Field: IssueFieldRPPS, Code: rppsync.CodeDirectoryUnavailable,
			Message: "Aucun annuaire n'était disponible : le professionnel n'a pas pu être recherché par son nom ; " +
				"relancez la vérification avec l'annuaire santé avant de l'enregistrer."})
	default:
		v.Candidates = m.candidates(r, byKey, "")
		if len(v.Candidates) > 0 {
			v.Status = rppsync.StatusCandidate
			v.Issues = append(v.Issues, rppsync.Issue{Field: IssueFieldRPPS, Code: CodeRPPSMissing, Message: fmt.Sprintf(
				"Aucun RPPS n'est indiqué ; %d professionnel(s) de l'annuaire pourrai(en)t correspondre : "+
					"confirmez le bon numéro avec l'intérimaire avant de l'utiliser.", len(v.Candidates))})
		} else {
			v.Status = rppsync.StatusToRegister
			v.Issues = append(v.Issues, rppsync.Issue{Field: IssueFieldRPPS, Code: CodeRPPSMissing, Message: toRegister(prof, profOK)})
		}
	}
	if profOK {
		v.ProfessionCode = rppsync.Ptr(prof.Code)
		ch := prof.Channel
		v.Channel = &ch
	}
	if profIssue != nil {
		v.Issues = append(v.Issues, *profIssue)
	}
	return v
}

func professionUnknown(label string) *rppsync.Issue {
	msg := "Aucune profession n'est indiquée : demandez-la à l'agence (par exemple Infirmier, Aide-soignant) " +
		"pour savoir qui doit enregistrer le professionnel."
	if strings.TrimSpace(label) != "" {
		msg = fmt.Sprintf("La profession « %s » n'est pas reconnue : demandez à l'agence le libellé exact "+
			"(par exemple Infirmier, Aide-soignant, Masseur-kinésithérapeute) pour savoir qui doit enregistrer le professionnel.", label)
	}
	return &rppsync.Issue{Field: string(rppsync.FieldProfession), Code: rppsync.CodeProfessionUnknown, Message: msg}
}

func toRegister(p Profession, ok bool) string {
	switch {
	case !ok:
		return "Aucun RPPS n'est indiqué et personne de l'annuaire ne correspond : un enregistrement est nécessaire, " +
			"précisez d'abord la profession pour savoir par qui."
	case p.Channel == rppsync.ChannelRPPSPlus:
		return "Aucun RPPS n'est indiqué et personne de l'annuaire ne correspond : enregistrez le professionnel sur le Portail RPPS+, puis validez l'enregistrement."
	default:
		return fmt.Sprintf("Aucun RPPS n'est indiqué et personne de l'annuaire ne correspond : l'agence doit faire "+
			"enregistrer le professionnel auprès de : %s.", p.Body)
	}
}

// directoryProfession returns the profession of a directory entry, by code
// first, by label otherwise.
func directoryProfession(p rppsync.Professional) (Profession, bool) {
	if dp, ok := ProfessionByCode(p.ProfessionCode); ok {
		return dp, true
	}
	if p.ProfessionCode != "" {
		return Profession{}, false
	}
	return LookupProfession(p.ProfessionLabel)
}

func professionLabel(p rppsync.Professional) string {
	if p.ProfessionLabel != "" {
		return p.ProfessionLabel
	}
	if dp, ok := directoryProfession(p); ok {
		return dp.Label
	}
	return "profession non précisée"
}

// candidates scores every directory person filed under the row's name keys
// and returns those at or above MinScore, best first (ties by RPPS), at
// most MaxCandidates. exclude is an RPPS never to propose.
func (m *Matcher) candidates(r *row, byKey map[string][]rppsync.Professional, exclude string) []rppsync.Candidate {
	out := []rppsync.Candidate{}
	if r.invalid || byKey == nil {
		return out
	}
	if r.names != nil {
		r.names.nextRow()
	}
	seen := map[string]bool{exclude: true}
	r.eachKeyWanted(nil, func(k []byte) {
		for _, p := range byKey[string(k)] {
			if seen[p.RPPS] {
				continue
			}
			seen[p.RPPS] = true
			if c, ok := m.score(r, p); ok {
				out = append(out, c)
			}
		}
	})
	slices.SortFunc(out, func(a, b rppsync.Candidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.RPPS, b.RPPS))
	})
	if len(out) > m.maxCand {
		out = out[:m.maxCand]
	}
	return out
}

// score rates directory person p as the row's person; false when p is no
// candidate at all.
func (m *Matcher) score(r *row, p rppsync.Professional) (rppsync.Candidate, bool) {
	nm := r.names.compare(r.name, p.LastName, p.FirstName)
	oneEdit := false
	if !passesGates(nm) {
		// The one-edit rule (doc.go): a surname one edit away, with the
		// same first name, profession and structure, whatever its length.
		if nm, oneEdit = r.names.oneEditMatch(r.name, p.LastName, p.FirstName); !oneEdit {
			return rppsync.Candidate{}, false
		}
	}
	reasons := slices.Clone(nm.Reasons)
	profEv := 0.5
	if dp, ok := directoryProfession(p); ok && r.profOK {
		if dp == r.prof {
			profEv = 1
			reasons = append(reasons, "même profession")
		} else {
			profEv = 0
			reasons = append(reasons, "autre profession ("+dp.Label+")")
		}
	}
	finEv := 0.0
	if r.finess != "" {
		for _, a := range p.Activities {
			if a.FinessSite == r.finess || a.FinessJuridique == r.finess {
				finEv = 1
				reasons = append(reasons, "exerce dans la structure (FINESS)")
				break
			}
		}
	}
	if oneEdit && (profEv != 1 || finEv != 1) {
		return rppsync.Candidate{}, false
	}
	s := roundScore(NameWeight*nm.Score + ProfessionWeight*profEv + FINESSWeight*finEv)
	if s < m.minScore {
		return rppsync.Candidate{}, false
	}
	return rppsync.Candidate{RPPS: p.RPPS, Score: s, ProfessionCode: p.ProfessionCode, Reasons: reasons}, true
}

// juridique ties v to a site when the row's FINESS (finess) is a legal
// entity's: to its only site, with a note; with several sites, to none,
// with an issue listing them for the agency to choose.
func juridique(v *rppsync.Verdict, finess string, sites []rppsync.Site) {
	switch len(sites) {
	case 0:
		return
	case 1:
		v.FINESS = rppsync.Ptr(sites[0].FINESS)
		v.Issues = append(v.Issues, rppsync.Issue{Field: string(rppsync.FieldFINESS), Code: CodeFINESSJuridique, Message: fmt.Sprintf(
			"Le FINESS %s est celui de l'entité juridique, pas d'un site : la mission est rattachée à son seul site dans l'annuaire, %s ; "+
				"demandez à l'agence d'indiquer désormais le FINESS géographique.", finess, siteText(sites[0]))})
	default:
		v.FINESS = nil
		list := make([]string, len(sites))
		for i, s := range sites {
			list[i] = siteText(s)
		}
		v.Issues = append(v.Issues, rppsync.Issue{Field: string(rppsync.FieldFINESS), Code: CodeFINESSJuridiqueSites, Message: fmt.Sprintf(
			"Le FINESS %s est celui d'une entité juridique qui compte %d sites dans l'annuaire (%s) : "+
				"demandez à l'agence le FINESS géographique du site où la mission a lieu.", finess, len(sites), strings.Join(list, ", "))})
	}
}

func siteText(s rppsync.Site) string {
	if s.Name == "" {
		return s.FINESS
	}
	return s.FINESS + " " + s.Name
}
