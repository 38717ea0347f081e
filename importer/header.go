package importer

import (
	"strings"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
)

// synonyms lists, per canonical field, the column headings agencies use.
// They are compared through headerKey, so case, accents, punctuation, "N°"
// and small words ("de", "d'", "le") do not matter.
var synonyms = map[rppsync.Field][]string{
	rppsync.FieldLastName: {"Nom", "Nom de naissance", "Nom de famille", "Nom patronymique",
		"Nom de jeune fille", "Nom d'exercice", "Patronyme"},
	rppsync.FieldUsageName: {"Nom d'usage", "Nom marital", "Nom usuel", "Nom d'épouse"},
	rppsync.FieldFirstName: {"Prénom", "Prénoms", "Prénom(s)", "Prenom", "Prénom usuel",
		"Prénom d'exercice", "Premier prénom"},
	rppsync.FieldFullName: {"Nom Prénom", "Nom et prénom", "Nom / Prénom", "Prénom Nom",
		"Intérimaire", "Nom de l'intérimaire", "Nom complet", "Salarié", "Identité", "Collaborateur"},
	rppsync.FieldCivility: {"Civilité", "Sexe", "Genre", "Titre"},
	rppsync.FieldIdentifier: {"RPPS", "N° RPPS", "Numéro RPPS", "RPPS/ADELI", "RPPS ou ADELI",
		"N° RPPS/ADELI", "ADELI", "N° ADELI", "Identifiant national", "Identifiant PP",
		"Identification nationale PP", "Identifiant RPPS", "Code RPPS", "ID RPPS"},
	rppsync.FieldBirthDate: {"Date de naissance", "Né(e) le", "Née le", "Né le", "Date naissance",
		"DDN", "Naissance"},
	rppsync.FieldBirthPlace: {"Lieu de naissance", "Commune de naissance", "Ville de naissance",
		"Code INSEE de naissance", "Code commune de naissance", "Lieu naissance", "Né(e) à", "Née à", "Né à"},
	rppsync.FieldBirthDept:    {"Département de naissance", "Dépt de naissance", "Dpt de naissance", "Dept naissance"},
	rppsync.FieldBirthCountry: {"Pays de naissance", "Pays naissance"},
	rppsync.FieldNationality:  {"Nationalité"},
	rppsync.FieldProfession: {"Qualification", "Fonction", "Métier", "Profession", "Poste",
		"Emploi", "Libellé poste", "Intitulé du poste", "Qualification / Poste"},
	rppsync.FieldFINESS: {"FINESS", "N° FINESS", "FINESS site", "FINESS géographique",
		"FINESS établissement", "Code FINESS", "Site FINESS", "FINESS géo", "FINESS ET",
		"FINESS établissement géographique", "FINESS du lieu de mission", "FINESS client",
		"FINESS établissement d'accueil", "FINESS de la structure", "FINESS structure"},
	rppsync.FieldStructure: {"Établissement", "Site", "Structure", "Client", "Établissement client",
		"Lieu de mission", "Établissement de santé", "Lieu d'affectation", "Établissement d'accueil",
		"Établissement d'affectation", "Site d'affectation", "Structure d'accueil", "Site de mission",
		"Lieu de travail", "Lieu d'exercice", "Entreprise utilisatrice", "Établissement utilisateur",
		"Nom de l'établissement", "Raison sociale site", "Site client"},
	rppsync.FieldContractStart: {"Début mission", "Début de mission", "Date début", "Date de début",
		"Date entrée", "Date d'entrée", "Date de début de contrat", "Début contrat", "Début",
		"Mission début", "Contrat début", "Date début mission", "Du"},
	rppsync.FieldContractEnd: {"Fin mission", "Fin de mission", "Date fin", "Date de fin",
		"Date sortie", "Date de sortie", "Date de fin de contrat", "Fin contrat", "Fin",
		"Mission fin", "Contrat fin", "Date fin mission", "Au"},
	rppsync.FieldEmail: {"Email", "E-mail", "Courriel", "Mail", "Adresse mail", "Adresse e-mail",
		"Adresse électronique"},
	rppsync.FieldPhone: {"Téléphone", "Tél", "Tel", "Portable", "Mobile", "Téléphone portable",
		"N° de téléphone", "GSM", "Tél. portable"},
	rppsync.FieldAgency: {"Agence", "Agence d'intérim", "Agence intérim", "Nom de l'agence"},
	rppsync.FieldSIRET:  {"SIRET", "N° SIRET"},
	rppsync.FieldNIR: {"NIR", "N° sécu", "N° de sécurité sociale", "Numéro de sécurité sociale",
		"Numéro SS", "N° SS", "Sécurité sociale", "Matricule sécu"},
}

// fillers are the folded small words headerKey drops.
var fillers = map[string]bool{
	"N": true, "NO": true, "NUM": true, "NUMERO": true, "DE": true, "DU": true, "DES": true,
	"D": true, "L": true, "LA": true, "LE": true, "LES": true, "ET": true, "OU": true,
	"EN": true, "JJ": true, "MM": true, "AA": true, "AAAA": true, "YYYY": true, "DD": true,
}

// headerIndex maps headerKey(synonym) to its field.
var headerIndex = func() map[string]rppsync.Field {
	idx := make(map[string]rppsync.Field)
	for f, list := range synonyms {
		for _, s := range list {
			idx[headerKey(s)] = f
		}
	}
	return idx
}()

// headerKey is the comparable form of a heading: what is in parentheses is
// dropped ("Prénom(s)", "Date de naissance (jj/mm/aaaa)"), then the text is
// folded (namekey.Fold) and small words are removed. When nothing is left, the
// folded text itself is the key ("Du", "Au").
func headerKey(s string) string {
	stripped := dropParentheses(s)
	if strings.TrimSpace(stripped) == "" {
		stripped = s
	}
	folded := namekey.Fold(stripped)
	var kept []string
	for _, t := range strings.Fields(folded) {
		if !fillers[t] {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		return folded
	}
	return strings.Join(kept, " ")
}

// dropParentheses removes every "(…)" group of s.
func dropParentheses(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
			b.WriteByte(' ')
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MapHeader returns the canonical field a column heading stands for, using
// the French synonyms and abbreviations agencies use (case, accents and
// punctuation ignored): "N° RPPS" → identifier, "Né(e) le" → birth_date,
// "Mission Début" → contract_start, "N° Sécu" → nir. It reports false for a
// heading it does not know.
func MapHeader(text string) (rppsync.Field, bool) {
	k := headerKey(text)
	if k == "" {
		return "", false
	}
	f, ok := headerIndex[k]
	return f, ok
}

// isNameField reports whether f names the person.
func isNameField(f rppsync.Field) bool {
	return f == rppsync.FieldLastName || f == rppsync.FieldFullName || f == rppsync.FieldUsageName
}

// column is what the importer knows about one column of a sheet.
type column struct {
	header  string        // heading text as shown (parent and child joined for two-row headings)
	field   rppsync.Field // "" when unmapped
	ignored bool          // the profile says to ignore it
}

// layout is the mapping of a sheet's columns.
type layout struct {
	cols []column
}

// mapColumn maps one heading, the profile first.
func mapColumn(p *Profile, text string) column {
	c := column{header: collapse(text)}
	if c.header == "" {
		return c
	}
	if f, ok := p.lookup(c.header); ok {
		if f == fieldIgnore {
			c.ignored = true
		} else {
			c.field = f
		}
		return c
	}
	c.field, _ = MapHeader(c.header)
	return c
}

// headerScore counts the mapped headings of a row and whether one is a name.
func headerScore(p *Profile, cells []string) (mapped int, name bool) {
	for _, cell := range cells {
		c := mapColumn(p, cell)
		if c.field != "" {
			mapped++
			name = name || isNameField(c.field)
		}
	}
	return mapped, name
}

// isHeader reports whether a row is a heading row: at least two cells map to
// known fields, one of them a name.
func isHeader(p *Profile, cells []string) bool {
	n, name := headerScore(p, cells)
	return n >= 2 && name
}

// newLayout maps a single heading row.
func newLayout(p *Profile, cells []string) layout {
	l := layout{cols: make([]column, len(cells))}
	for i, c := range cells {
		l.cols[i] = mapColumn(p, c)
	}
	return l
}

// combineLayout maps a two-row heading: parent holds the upper row (a merged
// "Mission" over "Début" and "Fin"), spans the column ranges (0-based,
// inclusive) merged across columns in that row, and child the lower row. For
// a column under a merge, the heading tried is "parent child", then child,
// then parent; a column whose child cell is empty keeps the parent heading.
func combineLayout(p *Profile, parent, child []string, spans [][2]int) layout {
	n := max(len(parent), len(child))
	at := func(row []string, i int) string {
		if i < len(row) {
			return collapse(row[i])
		}
		return ""
	}
	l := layout{cols: make([]column, n)}
	for i := range n {
		par, chi := at(parent, i), at(child, i)
		for _, s := range spans {
			if i >= s[0] && i <= s[1] {
				par = at(parent, s[0])
			}
		}
		switch {
		case chi == "":
			l.cols[i] = mapColumn(p, par)
		case par == "":
			l.cols[i] = mapColumn(p, chi)
		default:
			both := mapColumn(p, par+" "+chi)
			if both.field != "" || both.ignored {
				l.cols[i] = both
				break
			}
			if c := mapColumn(p, chi); c.field != "" || c.ignored {
				c.header = par + " " + chi
				l.cols[i] = c
				break
			}
			l.cols[i] = both
		}
	}
	return l
}
