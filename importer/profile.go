package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/rppsync/rppsync"
)

// ErrProfile is returned (wrapped) by LoadProfile and ParseProfile when a
// profile file is not valid.
var ErrProfile = errors.New("profil d'agence invalide")

// fieldIgnore is the profile value that marks a column as deliberately ignored.
const fieldIgnore rppsync.Field = "ignore"

// knownFields are the field names a profile may use.
var knownFields = map[rppsync.Field]bool{
	rppsync.FieldLastName: true, rppsync.FieldUsageName: true, rppsync.FieldFirstName: true,
	rppsync.FieldFullName: true, rppsync.FieldCivility: true, rppsync.FieldIdentifier: true,
	rppsync.FieldBirthDate: true, rppsync.FieldBirthPlace: true, rppsync.FieldBirthDept: true,
	rppsync.FieldBirthCountry: true, rppsync.FieldNationality: true, rppsync.FieldProfession: true,
	rppsync.FieldFINESS: true, rppsync.FieldStructure: true, rppsync.FieldContractStart: true,
	rppsync.FieldContractEnd: true, rppsync.FieldEmail: true, rppsync.FieldPhone: true,
	rppsync.FieldAgency: true, rppsync.FieldSIRET: true, rppsync.FieldNIR: true, fieldIgnore: true,
}

// Profile is the mapping configuration of one agency, for the files whose
// headings the built-in synonyms do not cover. Its JSON form is:
//
//	{
//	  "agency": "Intérim Alpha",            // optional: Record.Agency when the file has no agency column
//	  "columns": {"Matricule RPPS": "identifier", "Code secu": "nir", "Commentaire": "ignore"},
//	  "header_row": 4,                      // optional: the heading row (1-based; Excel row or CSV line)
//	  "sheets": ["Contrats"]                // optional: read only these sheets
//	}
//
// Column headings are compared like MapHeader does (case, accents and
// punctuation ignored) and take precedence over the synonyms; the value is a
// rppsync.Field name or "ignore" (the column is neither read nor reported as
// unmapped).
type Profile struct {
	Agency    string                   `json:"agency,omitempty"`
	Columns   map[string]rppsync.Field `json:"columns,omitempty"`
	HeaderRow int                      `json:"header_row,omitempty"`
	Sheets    []string                 `json:"sheets,omitempty"`

	keys map[string]rppsync.Field
}

// LoadProfile reads and validates a profile file (see Profile).
func LoadProfile(path string) (*Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load profile %s: %w", path, err)
	}
	p, err := ParseProfile(b)
	if err != nil {
		return nil, fmt.Errorf("load profile %s: %w", path, err)
	}
	return p, nil
}

// ParseProfile decodes and validates the JSON form of a Profile. Unknown keys
// and unknown field names are errors wrapping ErrProfile.
func ParseProfile(b []byte) (*Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProfile, err)
	}
	if p.HeaderRow < 0 {
		return nil, fmt.Errorf("%w: header_row %d doit être positif", ErrProfile, p.HeaderRow)
	}
	p.keys = make(map[string]rppsync.Field, len(p.Columns))
	for h, f := range p.Columns {
		if !knownFields[f] {
			return nil, fmt.Errorf("%w: colonne %q : champ %q inconnu", ErrProfile, h, f)
		}
		k := headerKey(h)
		if k == "" {
			return nil, fmt.Errorf("%w: en-tête de colonne vide", ErrProfile)
		}
		p.keys[k] = f
	}
	return &p, nil
}

// lookup returns the field the profile gives a heading. A nil profile knows nothing.
func (p *Profile) lookup(header string) (rppsync.Field, bool) {
	if p == nil {
		return "", false
	}
	f, ok := p.keys[headerKey(header)]
	return f, ok
}

// wantsSheet reports whether the profile lets a sheet be read.
func (p *Profile) wantsSheet(name string) bool {
	if p == nil || len(p.Sheets) == 0 {
		return true
	}
	for _, s := range p.Sheets {
		if s == name {
			return true
		}
	}
	return false
}

// namesSheet reports whether the profile lists a sheet by name: a hidden
// sheet it names is read as any other.
func (p *Profile) namesSheet(name string) bool {
	return p != nil && slices.Contains(p.Sheets, name)
}
