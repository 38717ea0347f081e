package insee

import (
	"fmt"
	"github.com/rppsync/rppsync/matcher"
	"strings"

	"github.com/rppsync/rppsync"
)

// CodeBirthPlaceAssumed is the issue code ResolveBirthPlace returns,
// together with a code, when the code was reached by an assumption a
// person should check (an old name read at the birth date, a code that is
// also a postal code). It is a warning: the code is usable.
const CodeBirthPlaceAssumed = "birth_place_assumed"

// maxListed is how many candidates a message names before "…".
const maxListed = 8

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
// CodeBirthPlaceAssumed and the code is still returned.
func (ix *Index) ResolveBirthPlace(place, dept, country string, born rppsync.Date) (string, *rppsync.Issue) {
	place, country = strings.TrimSpace(place), strings.TrimSpace(country)
	if place == "" && country == "" {
		return "", nil
	}
	filt := ix.deptFilter(dept)
	if country != "" {
		tokens := strings.Fields(matcher.Fold(country))
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
				if r := ix.resolve(place, filt, dateInt(born)); r.Status == StatusOK && strings.HasPrefix(*r.Code, "99") {
					return *r.Code, nil
				}
				return "", &rppsync.Issue{Field: string(rppsync.FieldBirthCountry), Code: rppsync.CodeBirthPlaceUnknown,
					Message: fmt.Sprintf("Le pays de naissance « %s » n'est pas reconnu. Indiquez le nom du pays en français (par exemple Maroc, Algérie, Portugal), ou laissez la case vide pour une naissance en France.", country)}
			}
			r := ix.countryResult(Result{Input: country, Candidates: []Candidate{}}, codes)
			if r.Status == StatusOK {
				return *r.Code, nil
			}
			return "", &rppsync.Issue{Field: string(rppsync.FieldBirthCountry), Code: rppsync.CodeBirthPlaceAmbiguous,
				Message: fmt.Sprintf("Plusieurs pays correspondent au pays de naissance « %s » : %s. Indiquez le nom complet du pays.", country, listCandidates(r.Candidates))}
		}
	}
	if place == "" {
		return "", nil
	}
	r := ix.resolve(place, filt, dateInt(born))
	return BirthPlaceIssue(r)
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
