package insee

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
)

// CodeBirthPlaceAssumed is the issue code ResolveBirthPlace returns,
// together with a code, when the code was reached by an assumption a
// person should check (an old name read at the birth date, a code that is
// also a postal code). It is a warning: the code is usable.
const CodeBirthPlaceAssumed = "birth_place_assumed"

// maxListed is how many candidates a message names before "…".
const maxListed = 8

// Resolution is what the matcher records of a resolved birth place: the
// code at birth for civil status and the registration (Code), today's
// commune for the forms that pick one from today's list (TodayCode,
// TodayName), and the notes that say what was assumed to get there. The
// notes must reach the registration's pre-fill and the queue item: they
// are what a person checks before using the code.
type Resolution struct {
	Code      string   // the code in force on the birth date; "" when unresolved
	Name      string   // the commune's (or country's) name under Code
	TodayCode string   // the commune (or country) today; "" when it has since been split, or unresolved
	TodayName string   // its name today
	Notes     []string // French sentences, one per assumption; nil when none
}

// ResolveBirthPlace returns the INSEE code of a birth place for the
// matcher. place, dept and country are the cells as typed; born is the
// birth date (zero when unknown).
//
//   - place and country both empty: "", nil (nothing to resolve).
//   - country given and not France (nor a French overseas territory): the
//     country's 99xxx code, whatever the place says.
//   - otherwise the place is resolved as a French commune (or a country
//     named in it, "Casablanca (Maroc)").
//
// When no code can be given, the issue has code CodeBirthPlacePostalCode,
// CodeBirthPlaceAmbiguous or CodeBirthPlaceUnknown and a French message
// saying what to do. When a code is given with an assumption, the issue is
// CodeBirthPlaceAssumed and the code is still returned. The code is the
// one in force on the birth date: ResolveBirthPlaceFull gives today's too.
func (ix *Index) ResolveBirthPlace(place, dept, country string, born rppsync.Date) (string, *rppsync.Issue) {
	res, issue := ix.ResolveBirthPlaceFull(place, dept, country, born)
	return res.Code, issue
}

// BirthPlace is ResolveBirthPlaceFull in the domain's terms, for the
// matcher (matcher.PlaceDetailer).
func (ix *Index) BirthPlace(place, dept, country string, born rppsync.Date) (rppsync.BirthPlace, *rppsync.Issue) {
	res, issue := ix.ResolveBirthPlaceFull(place, dept, country, born)
	return rppsync.BirthPlace{Code: res.Code, Name: res.Name, TodayCode: res.TodayCode, TodayName: res.TodayName, Notes: res.Notes}, issue
}

// ResolveBirthPlaceFull is ResolveBirthPlace with the whole answer: the
// code at birth, today's code and name, and the notes (each assumption
// made, which the issue's message also carries, joined).
func (ix *Index) ResolveBirthPlaceFull(place, dept, country string, born rppsync.Date) (Resolution, *rppsync.Issue) {
	place, country = strings.TrimSpace(place), strings.TrimSpace(country)
	if place == "" && country == "" {
		return Resolution{}, nil
	}
	d := dateInt(born)
	filt := ix.deptFilter(dept)
	if country != "" {
		tokens := strings.Fields(namekey.Fold(country))
		key := nameKey(tokens)
		deps, french := ix.terr[key]
		if !french && len(tokens) == 1 {
			deps, french = ix.terr[tokens[0]] // ISO codes: FR, RE, NC…
		}
		switch {
		case french:
			filt = appendDepts(filt, deps)
		default:
			codes := ix.countryCodes(key, tokens)
			if len(codes) == 0 {
				if r := ix.resolve(place, filt, d); r.Status == StatusOK && strings.HasPrefix(*r.Code, "99") {
					_, issue := BirthPlaceIssue(r) // the place names the country: its notes, if any
					return resolution(r), issue
				}
				return Resolution{}, &rppsync.Issue{Field: string(rppsync.FieldBirthCountry), Code: rppsync.CodeBirthPlaceUnknown,
					Message: fmt.Sprintf("Le pays de naissance « %s » n'est pas reconnu. Indiquez le nom du pays en français (par exemple Maroc, Algérie, Portugal), ou laissez la case vide pour une naissance en France.", country)}
			}
			r := ix.countryResult(Result{Input: country, Candidates: []Candidate{}}, codes, d)
			if r.Status == StatusOK {
				res := resolution(r)
				if len(res.Notes) == 0 {
					return res, nil
				}
				return res, &rppsync.Issue{Field: string(rppsync.FieldBirthCountry), Code: CodeBirthPlaceAssumed,
					Message: fmt.Sprintf("Pays de naissance « %s » : code %s (%s) retenu. %s Vérifiez ce code avant l'enregistrement.", country, res.Code, res.Name, strings.Join(res.Notes, " "))}
			}
			return Resolution{}, &rppsync.Issue{Field: string(rppsync.FieldBirthCountry), Code: rppsync.CodeBirthPlaceAmbiguous,
				Message: fmt.Sprintf("Plusieurs pays correspondent au pays de naissance « %s » : %s. Indiquez le nom complet du pays, tel qu'il était à la date de naissance.", country, listCandidates(r.Candidates))}
		}
	}
	if place == "" {
		return Resolution{}, nil
	}
	r := ix.resolve(place, filt, d)
	_, issue := BirthPlaceIssue(r)
	if issue != nil && issue.Code != CodeBirthPlaceAssumed {
		return Resolution{}, issue
	}
	return resolution(r), issue
}

// resolution returns the Resolution of an ok Result.
func resolution(r Result) Resolution {
	res := Resolution{Code: *r.Code, Name: *r.Name}
	if r.TodayCode != nil {
		res.TodayCode, res.TodayName = *r.TodayCode, *r.TodayName
	}
	if len(r.Notes) > 0 {
		res.Notes = slices.Clone(r.Notes)
	}
	return res
}

// BirthPlaceIssue turns a Result into the code and issue the matcher
// records for the birth_place field (see ResolveBirthPlace).
func BirthPlaceIssue(r Result) (string, *rppsync.Issue) {
	issue := func(code, msg string) *rppsync.Issue {
		return &rppsync.Issue{Field: string(rppsync.FieldBirthPlace), Code: code, Message: msg}
	}
	switch r.Status {
	case StatusOK:
		if r.Assumed == "" {
			return *r.Code, nil
		}
		return *r.Code, issue(CodeBirthPlaceAssumed, fmt.Sprintf(
			"Lieu de naissance « %s » : code INSEE %s (%s) retenu par hypothèse. %s Vérifiez ce code avant l'enregistrement.",
			r.Input, *r.Code, *r.Name, r.Assumed))
	case StatusPostalCode:
		return "", issue(rppsync.CodeBirthPlacePostalCode, fmt.Sprintf(
			"Le lieu de naissance « %s » est un code postal, pas un code INSEE (communes desservies : %s). Remplacez-le par le nom de la commune de naissance ou par son code INSEE.",
			r.Input, listCandidates(r.Candidates)))
	case StatusAmbiguous:
		if c := r.Candidates; len(c) > 1 && c[0].Reading == ReadingINSEE {
			return "", issue(rppsync.CodeBirthPlaceAmbiguous, fmt.Sprintf(
				"Le lieu de naissance « %s » est à la fois le code INSEE %s (%s) et un code postal (%s). Écrivez le nom de la commune de naissance à côté du code (par exemple « %s %s ») ou à sa place.",
				r.Input, de(c[0].Name), c[0].Code, listCandidates(c[1:]), r.Input, c[1].Name))
		}
		return "", issue(rppsync.CodeBirthPlaceAmbiguous, fmt.Sprintf(
			"Plusieurs communes correspondent au lieu de naissance « %s » : %s. Précisez le département de naissance, ou indiquez le code INSEE de la commune.",
			r.Input, listCandidates(r.Candidates)))
	}
	msg := fmt.Sprintf("Le lieu de naissance « %s » ne correspond à aucune commune ni aucun pays connu. Vérifiez l'orthographe, ou indiquez le code INSEE de la commune (ou le pays, pour une naissance à l'étranger).", r.Input)
	if r.Assumed != "" {
		msg += " " + r.Assumed
	}
	return "", issue(rppsync.CodeBirthPlaceUnknown, msg)
}

// listCandidates writes "Saint-Denis (93) 93066, Saint-Denis (974) 97411".
func listCandidates(cs []Candidate) string {
	parts := make([]string, 0, min(len(cs), maxListed)+1)
	for i, c := range cs {
		if i == maxListed {
			parts = append(parts, fmt.Sprintf("… (%d au total)", len(cs)))
			break
		}
		if c.Dept == "99" {
			parts = append(parts, fmt.Sprintf("%s %s", c.Name, c.Code))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%s) %s", c.Name, c.Dept, c.Code))
		}
	}
	return strings.Join(parts, ", ")
}
