package importer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
)

// fieldLabels are the French names of fields used in issue messages.
var fieldLabels = map[rppsync.Field]string{
	rppsync.FieldBirthDate:     "date de naissance",
	rppsync.FieldContractStart: "date de début de mission",
	rppsync.FieldContractEnd:   "date de fin de mission",
	rppsync.FieldEmail:         "e-mail",
}

// collector gathers the file-level facts while records are built.
type collector struct {
	file     *File
	unmapped map[string]bool
	nir      map[string]bool
}

func newCollector(f *File) *collector {
	return &collector{file: f, unmapped: map[string]bool{}, nir: map[string]bool{}}
}

// addUnmapped lists a heading as unmapped, once.
func (c *collector) addUnmapped(h string) {
	if h == "" || c.unmapped[h] || c.nir[h] {
		return
	}
	c.unmapped[h] = true
	c.file.Unmapped = append(c.file.Unmapped, h)
}

// warn adds a file-level warning, once per code.
func (c *collector) warn(is rppsync.Issue) {
	if slices.ContainsFunc(c.file.Warnings, func(w rppsync.Issue) bool { return w.Code == is.Code }) {
		return
	}
	c.file.Warnings = append(c.file.Warnings, is)
}

// addNIR lists a heading as a NIR column, once, and takes it out of the
// unmapped list.
func (c *collector) addNIR(h string) {
	if c.nir[h] {
		return
	}
	c.nir[h] = true
	c.file.NIRColumns = append(c.file.NIRColumns, h)
	if c.unmapped[h] {
		delete(c.unmapped, h)
		c.file.Unmapped = slices.DeleteFunc(c.file.Unmapped, func(s string) bool { return s == h })
	}
}

// sheetReader turns the data rows of one sheet (or CSV file) into records.
type sheetReader struct {
	path, sheet string
	lay         layout
	spreadsheet bool // cells come from a workbook: numbers in date columns are serials
	date1904    bool
	now         time.Time
	agency      string
	hidden      bool // a hidden sheet no profile names: its rows are reported, not queued
	structures  func(string) (string, bool)
	coll        *collector
	records     *recordList // the records of the sheet, handed out as read
}

// columnName is the heading of column i for the file-level lists.
func (r *sheetReader) columnName(i int) string {
	if i < len(r.lay.cols) && r.lay.cols[i].header != "" {
		return r.lay.cols[i].header
	}
	return fmt.Sprintf("colonne %d sans intitulé", i+1)
}

// start registers the layout's unmapped and NIR columns, and warns once
// per file when the sheet has no column naming the structure.
func (r *sheetReader) start() {
	for i, c := range r.lay.cols {
		switch {
		case c.field == rppsync.FieldNIR:
			r.coll.addNIR(r.columnName(i))
		case c.field == "" && !c.ignored && c.header != "":
			r.coll.addUnmapped(c.header)
		}
	}
	if !r.hasStructureColumn() {
		r.coll.warn(rppsync.Issue{Field: string(rppsync.FieldFINESS), Code: rppsync.CodeStructureColumnMissing,
			Message: "Le fichier n'a pas de colonne indiquant l'établissement (FINESS, Site FINESS, Établissement, Lieu de mission…) : " +
				"ses lignes ne peuvent être rattachées à aucun établissement et restent à l'agence ; demandez-lui d'ajouter le FINESS géographique de chaque mission."})
	}
}

// hasStructureColumn reports whether a column of the layout names the
// structure, by FINESS or by name.
func (r *sheetReader) hasStructureColumn() bool {
	return slices.ContainsFunc(r.lay.cols, func(c column) bool {
		return c.field == rppsync.FieldFINESS || c.field == rppsync.FieldStructure
	})
}

// record builds the record of one row, or reports false for a blank row.
func (r *sheetReader) record(row int, cells []string) (rppsync.Record, bool) {
	blank := true
	for _, c := range cells {
		if strings.TrimFunc(c, isSpace) != "" {
			blank = false
			break
		}
	}
	if blank {
		return rppsync.Record{}, false
	}
	rec := rppsync.Record{Path: r.path, Sheet: r.sheet, Row: row, Original: map[rppsync.Field]string{}}
	for i, cell := range cells {
		v := strings.TrimFunc(cell, isSpace)
		if v == "" {
			continue
		}
		var col column
		if i < len(r.lay.cols) {
			col = r.lay.cols[i]
		}
		if col.ignored {
			continue
		}
		if LooksLikeNIR(v) {
			r.coll.addNIR(r.columnName(i))
			if col.field != "" && col.field != rppsync.FieldNIR {
				rec.Issues = append(rec.Issues, rppsync.Issue{Field: string(col.field), Code: CodeNIRDropped,
					Message: fmt.Sprintf("La colonne « %s » contient un numéro de sécurité sociale, qui n'est pas conservé : demandez à l'agence de ne plus l'envoyer et de mettre la bonne valeur dans cette colonne.", r.columnName(i))})
			}
			continue
		}
		if col.field == "" || col.field == rppsync.FieldNIR {
			continue // unmapped values are never read
		}
		if _, seen := rec.Original[col.field]; seen {
			continue // the first non-blank column of a field wins
		}
		r.set(&rec, col.field, v)
	}
	if full, ok := rec.Original[rppsync.FieldFullName]; ok {
		c := ReadNameCell(full, true)
		if rec.LastName.Display == "" && rec.UsageName.Display == "" {
			rec.LastName = newName(c.Birth)
			rec.UsageName = newName(c.Usage)
		}
		if rec.FirstName.Display == "" {
			rec.FirstName = newName(c.First)
		}
		if rec.Civility == "" {
			rec.Civility = c.Civility
		}
	}
	if rec.Agency == "" {
		rec.Agency = r.agency
	}
	r.structure(&rec)
	r.flagDates(&rec)
	if r.hidden {
		rec.HiddenSheet = true
		rec.Issues = append(rec.Issues, rppsync.Issue{Code: rppsync.CodeSheetHidden, Message: fmt.Sprintf(
			"Cette ligne vient de la feuille masquée « %s » : elle est signalée mais n'est pas mise en file. "+
				"Si elle doit être traitée, demandez à l'agence de l'envoyer dans une feuille visible, ou nommez la feuille dans le profil de l'agence.", r.sheet)})
	}
	return rec, true
}

// structure ties the row to a structure: a FINESS typed in the
// establishment column ("Établissement : 250999901", "CH X (250999901)")
// is read as the FINESS when the FINESS column is absent or empty; a row
// left with no FINESS gets a finess_missing issue saying why.
func (r *sheetReader) structure(rec *rppsync.Record) {
	if rec.FINESS == "" && rec.Structure != "" {
		rec.FINESS = FINESSInText(rec.Structure)
	}
	if rec.FINESS == "" && rec.Structure != "" && r.structures != nil {
		if f, ok := r.structures(rec.Structure); ok {
			rec.FINESS = f
			rec.Issues = append(rec.Issues, rppsync.Issue{Field: string(rppsync.FieldFINESS), Code: CodeFINESSFromName,
				Message: fmt.Sprintf("FINESS %s retenu d'après le nom de l'établissement « %s » (configuration des structures) : l'agence peut l'indiquer directement.", f, rec.Structure)})
		}
	}
	if rec.FINESS != "" {
		return
	}
	is := rppsync.Issue{Field: string(rppsync.FieldFINESS), Code: rppsync.CodeFINESSMissing}
	switch {
	case !r.hasStructureColumn():
		is.Message = "Le fichier n'indique pas l'établissement de la mission : la ligne reste à l'agence, qui doit donner le FINESS géographique du site."
	case rec.Structure != "":
		is.Message = fmt.Sprintf("L'établissement « %s » est indiqué sans son numéro FINESS : la ligne reste à l'agence, qui doit donner le FINESS géographique du site.", rec.Structure)
	default:
		is.Message = "Le FINESS de l'établissement est vide : la ligne reste à l'agence, qui doit donner le FINESS géographique du site de la mission."
	}
	rec.Issues = append(rec.Issues, is)
}

// flagDates flags a mission that had already ended, or already started,
// on the day the file is read (Options.Now).
func (r *sheetReader) flagDates(rec *rppsync.Record) {
	today := rppsync.DateOf(r.now)
	if r.now.IsZero() || (!rec.Start.IsZero() && !rec.End.IsZero() && rec.End.Before(rec.Start)) {
		return
	}
	switch {
	case !rec.End.IsZero() && rec.End.Before(today):
		rec.Issues = append(rec.Issues, rppsync.Issue{Field: string(rppsync.FieldContractEnd), Code: rppsync.CodeContractEnded,
			Message: fmt.Sprintf("La mission était déjà terminée (le %s) quand le fichier a été lu : rien n'est demandé à l'établissement pour elle.", frDate(rec.End))})
	case !rec.Start.IsZero() && !today.Before(rec.Start):
		rec.Issues = append(rec.Issues, rppsync.Issue{Field: string(rppsync.FieldContractStart), Code: rppsync.CodeContractStarted,
			Message: fmt.Sprintf("La mission a déjà commencé (le %s) : ses démarches sont urgentes.", frDate(rec.Start))})
	}
}

func frDate(d rppsync.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// set stores the original text of a field and its normalised value.
func (r *sheetReader) set(rec *rppsync.Record, f rppsync.Field, v string) {
	switch f {
	case rppsync.FieldBirthDate, rppsync.FieldContractStart, rppsync.FieldContractEnd:
		d, shown, err := r.date(v)
		rec.Original[f] = shown
		if err != nil {
			rec.Issues = append(rec.Issues, rppsync.Issue{Field: string(f), Code: rppsync.CodeDateInvalid,
				Message: fmt.Sprintf("La %s « %s » n'existe pas ou n'est pas lisible : corrigez-la au format jj/mm/aaaa.", fieldLabels[f], shown)})
		}
		switch f {
		case rppsync.FieldBirthDate:
			rec.BirthDate = d
		case rppsync.FieldContractStart:
			rec.Start = d
		default:
			rec.End = d
		}
		return
	}
	rec.Original[f] = v
	switch f {
	case rppsync.FieldLastName:
		// "Mme DUPONT épouse MARTIN": the civility and the usage name are
		// taken out of the birth name; a usage name column wins.
		c := ReadNameCell(v, false)
		rec.LastName = newName(c.Birth)
		if _, own := rec.Original[rppsync.FieldUsageName]; !own && c.Usage != "" {
			rec.UsageName = newName(c.Usage)
		}
		if rec.Civility == "" {
			rec.Civility = c.Civility
		}
	case rppsync.FieldUsageName:
		// "épouse MARTIN", "Mme MARTIN": the name after the words.
		c := ReadNameCell(v, false)
		rec.UsageName = newName(cmp.Or(c.Usage, c.Birth))
		if rec.Civility == "" {
			rec.Civility = c.Civility
		}
	case rppsync.FieldFirstName:
		first, civ := ReadFirstNameCell(v) // "Mme Claire": the title is no first name
		rec.FirstName = newName(first)
		if rec.Civility == "" {
			rec.Civility = civ
		}
	case rppsync.FieldCivility:
		if c, ok := NormaliseCivility(v); ok {
			rec.Civility = c // a civility column wins over a title typed in a name
		}
	case rppsync.FieldIdentifier:
		rec.Identifier = NormaliseIdentifier(v)
	case rppsync.FieldBirthPlace:
		rec.BirthPlace = collapse(v)
	case rppsync.FieldBirthDept:
		rec.BirthDept = collapse(v)
	case rppsync.FieldBirthCountry:
		rec.Country = collapse(v)
	case rppsync.FieldNationality:
		rec.Nationality = collapse(v)
	case rppsync.FieldProfession:
		rec.Profession = collapse(v)
	case rppsync.FieldFINESS:
		rec.FINESS = NormaliseFINESS(v)
	case rppsync.FieldStructure:
		rec.Structure = collapse(v)
	case rppsync.FieldEmail:
		e, ok := NormaliseEmail(v)
		rec.Email = e
		if !ok {
			rec.Issues = append(rec.Issues, rppsync.Issue{Field: string(f), Code: CodeEmailInvalid,
				Message: fmt.Sprintf("L'adresse e-mail « %s » n'a pas la forme d'une adresse (nom@domaine.fr) : demandez la bonne adresse à l'agence.", v)})
		}
	case rppsync.FieldPhone:
		rec.Phone = NormalisePhone(v)
	case rppsync.FieldAgency:
		rec.Agency = collapse(v)
	}
}

// date reads a date cell: a serial number when it comes from a workbook,
// text otherwise. It returns the text to keep as original: the ISO date for a
// serial read, the cell text otherwise.
func (r *sheetReader) date(v string) (rppsync.Date, string, error) {
	if r.spreadsheet {
		if serial, ok := serialNumber(v); ok {
			d, err := SerialDate(serial, r.date1904)
			if err != nil {
				return rppsync.Date{}, v, err
			}
			return d, d.String(), nil
		}
	}
	d, err := ParseDate(v, r.now)
	return d, v, err
}
