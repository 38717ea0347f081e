package directory

import (
	"bytes"
	"fmt"
	"io"
)

// The column names of PS_LibreAcces_Personne_activite that Line needs.
// Every one but ColRole is required; ColRole was appended after 2021.
const (
	ColIDType          = "Type d'identifiant PP"
	ColID              = "Identifiant PP"
	ColNationalID      = "Identification nationale PP"
	ColCivility        = "Code civilité"
	ColLastName        = "Nom d'exercice"
	ColFirstName       = "Prénom d'exercice"
	ColProfessionCode  = "Code profession"
	ColProfessionLabel = "Libellé profession"
	ColCategoryCode    = "Code catégorie professionnelle"
	ColModeCode        = "Code mode exercice"
	ColSIRETSite       = "Numéro SIRET site"
	ColFinessSite      = "Numéro FINESS site"
	ColFinessJuridique = "Numéro FINESS établissement juridique"
	ColStructureID     = "Identifiant technique de la structure"
	ColSiteName        = "Raison sociale site"
	ColCommuneCode     = "Code commune (coord. structure)"
	ColRoleCode        = "Code rôle"
)

// Field positions inside activityCols, in Line order.
const (
	fIDType = iota
	fID
	fNationalID
	fCivility
	fLastName
	fFirstName
	fProfessionCode
	fProfessionLabel
	fCategoryCode
	fModeCode
	fSIRETSite
	fFinessSite
	fFinessJuridique
	fStructureID
	fSiteName
	fCommuneCode
	fRoleCode
	nActivityCols
)

var activityCols = [nActivityCols]string{
	ColIDType, ColID, ColNationalID, ColCivility, ColLastName, ColFirstName,
	ColProfessionCode, ColProfessionLabel, ColCategoryCode, ColModeCode,
	ColSIRETSite, ColFinessSite, ColFinessJuridique, ColStructureID,
	ColSiteName, ColCommuneCode, ColRoleCode,
}

// interned are the short code columns: a few distinct values each, shared
// instead of allocated per line.
var interned = [nActivityCols]bool{
	fIDType: true, fCivility: true, fProfessionCode: true, fProfessionLabel: true,
	fCategoryCode: true, fModeCode: true, fRoleCode: true,
}

// ActivityReader streams the lines of a PS_LibreAcces_Personne_activite
// extract. Columns are found by header name, so the legacy 52-column files,
// the current 56-column ones and files with appended columns all read.
// Lines that fail validation are counted in Stats and skipped, never fatal;
// ADELI (type 0) lines are counted and skipped because they carry no RPPS.
//
// Use it as:
//
//	for r.Next() { use(r.Line()) }
//	if err := r.Err(); err != nil { … }
//
// An ActivityReader is not safe for concurrent use.
type ActivityReader struct {
	sc      *scanner
	ncol    int
	need    int                // fields Line needs cut: 1 + the last column read
	needChk int                // fields check and peek need cut
	trail   bool               // the header ends with '|'
	pos     [nActivityCols]int // column index, -1 when absent (role only)
	spans   []span
	scratch []byte
	intern  map[string]string
	raw     []byte // the current valid line, until the next read
	line    Line
	stats   Stats
	err     error
}

// NewActivityReader reads the header of an activity extract from r. It
// returns ErrEmpty for an empty input and a *HeaderError (matching
// ErrMissingColumns) when a required column is missing.
func NewActivityReader(r io.Reader) (*ActivityReader, error) {
	ar := &ActivityReader{intern: make(map[string]string, 256)}
	ar.sc = newScanner(r, &ar.stats)
	head, ok := ar.sc.next()
	if !ok {
		if err := ar.sc.failure(); err != nil {
			return nil, err
		}
		return nil, ErrEmpty
	}
	ar.trail = head[len(head)-1] == '|'
	ar.spans = split(head, '|', ar.spans, true)
	names := make([]string, len(ar.spans))
	for i, s := range ar.spans {
		names[i] = string(head[s.lo:s.hi])
	}
	ar.ncol = len(names)
	idx := headerIndex(names)
	var missing []string
	for f, name := range activityCols {
		p, found := idx[normHeader(name)]
		switch {
		case found:
			ar.pos[f] = p
		case f == fRoleCode:
			ar.pos[f] = -1
		default:
			missing = append(missing, name)
		}
	}
	if missing != nil {
		return nil, &HeaderError{Missing: missing}
	}
	for f, p := range ar.pos {
		ar.need = max(ar.need, p+1)
		if f == fIDType || f == fID || f == fLastName || f == fFirstName {
			ar.needChk = max(ar.needChk, p+1)
		}
	}
	return ar, nil
}

// Next advances to the next valid RPPS line, and reports false at the end
// of input or on a read error (see Err).
func (ar *ActivityReader) Next() bool {
	if !ar.advance() {
		return false
	}
	ar.build()
	return true
}

// advance moves to the next valid RPPS line without building its Line:
// every line is validated and counted in Stats exactly as Next does, but
// only peek may look at the line until build is called. It reports false
// at the end of input or on a read error (see Err). A caller that keeps
// few lines (LoadFiltered) pays for the strings of those lines only.
func (ar *ActivityReader) advance() bool {
	for {
		raw, ok := ar.sc.next()
		if !ok {
			ar.raw = nil
			ar.err = ar.sc.failure()
			return false
		}
		ar.stats.Lines++
		if ar.check(raw, ar.sc.lineNo) {
			ar.raw = raw
			ar.stats.Kept++
			return true
		}
	}
}

// peek returns the Identifiant PP, the Nom d'exercice and the Prénom
// d'exercice of the line advance stopped on, as they appear in the
// (decoded) line. The slices alias the read buffer: they are valid only
// until the next call to advance or Next, and must not be retained or
// modified.
func (ar *ActivityReader) peek() (id, lastName, firstName []byte) {
	return ar.field(ar.raw, fID), ar.field(ar.raw, fLastName), ar.field(ar.raw, fFirstName)
}

func (ar *ActivityReader) field(raw []byte, f int) []byte {
	p := ar.pos[f]
	if p < 0 {
		return nil
	}
	s := ar.spans[p]
	return raw[s.lo:s.hi]
}

// maxNameBytes bounds the last and first names of a line: real ones are
// a few dozen letters, and a name's search keys grow with the square of
// its length, so a line with a name of megabytes (a damaged or hostile
// extract) is a bad line, not a reason to stall a load or a check.
const maxNameBytes = 200

// check validates raw, line n of the file, leaving the spans of its first
// ar.needChk fields in ar.spans, and counts it in Stats; false when the
// line is skipped. It allocates nothing but the samples of bad lines.
func (ar *ActivityReader) check(raw []byte, n int) bool {
	// Only the columns checked are cut; the others are just counted, and
	// cut by build for the lines a caller reads.
	var count int
	ar.spans, count = splitPrefix(raw, '|', ar.spans, ar.trail, ar.needChk)
	if count != ar.ncol {
		ar.stats.bad(n, "field_count", fmt.Sprintf("%d champs au lieu de %d : ligne tronquée ou séparateur « | » en trop", count, ar.ncol))
		return false
	}
	idType, id := ar.field(raw, fIDType), ar.field(raw, fID)
	switch {
	case len(idType) == 1 && idType[0] == '0':
		ar.stats.ADELI++
		return false
	case len(idType) == 1 && idType[0] == '8':
		if !validRPPS(id) {
			ar.stats.bad(n, "rpps_invalid", "identifiant PP qui n'est pas un RPPS valide (11 chiffres commençant par 1, clé de contrôle juste)")
			return false
		}
	default:
		ar.stats.bad(n, "id_type", "type d'identifiant PP inconnu (attendu 8 pour RPPS ou 0 pour ADELI)")
		return false
	}
	last, first := ar.field(raw, fLastName), ar.field(raw, fFirstName)
	if len(bytes.TrimSpace(last)) == 0 {
		ar.stats.bad(n, "name_missing", "nom d'exercice vide")
		return false
	}
	if len(last) > maxNameBytes || len(first) > maxNameBytes {
		ar.stats.bad(n, "name_too_long", fmt.Sprintf("nom ou prénom d'exercice de plus de %d octets", maxNameBytes))
		return false
	}
	if len(first) == 0 {
		ar.stats.NoFirstName++
	}
	return true
}

// build fills ar.line from the line advance stopped on.
func (ar *ActivityReader) build() {
	raw := ar.raw
	ar.spans, _ = splitPrefix(raw, '|', ar.spans, ar.trail, ar.need)
	// One allocation for all free-text fields of the line, sliced below.
	ar.scratch = ar.scratch[:0]
	var bounds [nActivityCols][2]int
	for f := range nActivityCols {
		if interned[f] {
			continue
		}
		v := ar.field(raw, f)
		bounds[f] = [2]int{len(ar.scratch), len(ar.scratch) + len(v)}
		ar.scratch = append(ar.scratch, v...)
	}
	all := string(ar.scratch)
	str := func(f int) string {
		if interned[f] {
			return ar.internBytes(ar.field(raw, f))
		}
		return all[bounds[f][0]:bounds[f][1]]
	}
	ar.line = Line{
		IDType:          str(fIDType),
		ID:              str(fID),
		NationalID:      str(fNationalID),
		Civility:        str(fCivility),
		LastName:        str(fLastName),
		FirstName:       str(fFirstName),
		ProfessionCode:  str(fProfessionCode),
		ProfessionLabel: str(fProfessionLabel),
		CategoryCode:    str(fCategoryCode),
		ModeCode:        str(fModeCode),
		SIRETSite:       str(fSIRETSite),
		FinessSite:      str(fFinessSite),
		FinessJuridique: str(fFinessJuridique),
		StructureID:     str(fStructureID),
		SiteName:        str(fSiteName),
		CommuneCode:     str(fCommuneCode),
		RoleCode:        str(fRoleCode),
	}
}

// internBytes returns b as a string shared with earlier equal values.
func (ar *ActivityReader) internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := ar.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(ar.intern) < 4096 {
		ar.intern[s] = s
	}
	return s
}

// Line returns the line Next stopped on. Its strings stay valid after the
// following call to Next.
func (ar *ActivityReader) Line() Line { return ar.line }

// Err returns the read error that stopped Next, or nil at the normal end of
// input. Bad lines are not errors: see Stats.
func (ar *ActivityReader) Err() error { return ar.err }

// Stats returns the counts so far; call it during reading for progress and
// after the last Next for the load report.
func (ar *ActivityReader) Stats() Stats {
	s := ar.stats
	s.Samples = append([]BadLine(nil), ar.stats.Samples...)
	return s
}
