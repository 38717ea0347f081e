// Package rppsync holds the domain types shared by every stage of the flow
// read (importer) → match (matcher) → record and queue (store) → report.
//
// It owns vocabulary only: statuses, channels, issues, records and verdicts.
// It must not read files, talk to a database or the network, or log.
package rppsync

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date with no time zone. The zero Date means "absent".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, or false when that day does not exist
// (31/02/1990) or the year is outside 1900..2100.
func NewDate(y int, m time.Month, d int) (Date, bool) {
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 {
		return Date{}, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != m {
		return Date{}, false
	}
	return Date{y, m, d}, true
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseISODate parses YYYY-MM-DD.
func ParseISODate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is absent.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns d at midnight UTC.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// AddDays returns d shifted by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// String returns YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseISODate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Status is the one verdict every input row ends with (CONTRACT.md).
type Status string

// The statuses of CONTRACT.md, exactly one per row.
const (
	StatusMatched          Status = "matched"
	StatusIdentityMismatch Status = "identity_mismatch"
	StatusRPPSUnknown      Status = "rpps_unknown"
	StatusRPPSInvalid      Status = "rpps_invalid"
	StatusCandidate        Status = "candidate"
	StatusToRegister       Status = "to_register"
	StatusInvalid          Status = "invalid"
	StatusUnchecked        Status = "unchecked"
)

// Statuses lists every status in the order reports show them.
var Statuses = []Status{
	StatusMatched, StatusIdentityMismatch, StatusRPPSUnknown, StatusRPPSInvalid,
	StatusCandidate, StatusToRegister, StatusInvalid, StatusUnchecked,
}

// Channel says who registers a profession in the RPPS (DOMAIN.md).
type Channel string

// The registration channels.
const (
	ChannelOrdre    Channel = "ordre"     // the professional order (médecins, infirmiers, …)
	ChannelARS      Channel = "ars"       // the regional health agency
	ChannelRPPSPlus Channel = "rpps_plus" // the structure itself, on Portail RPPS+
)

// Issue codes named by CONTRACT.md. Packages add their own; codes are stable
// snake_case and never renamed.
const (
	CodeRPPSChecksum          = "rpps_checksum"
	CodeRPPSFormat            = "rpps_format"
	CodeADELINotRPPS          = "adeli_not_rpps"
	CodeNameMissing           = "name_missing"
	CodeDateInvalid           = "date_invalid"
	CodeContractDatesReversed = "contract_dates_reversed"
	CodeBirthPlacePostalCode  = "birth_place_postal_code"
	CodeBirthPlaceAmbiguous   = "birth_place_ambiguous"
	CodeBirthPlaceUnknown     = "birth_place_unknown"
	CodeProfessionUnknown     = "profession_unknown"
	CodeDirectoryUnavailable  = "directory_unavailable"
)

// Issue codes added by issue 15 (names, structures, rows and dates). They
// live here because several packages raise or read them.
const (
	// CodeFINESSMissing: the row names no structure (no FINESS column, or
	// an empty or unreadable cell); its items go to the agency.
	CodeFINESSMissing = "finess_missing"
	// CodeStructureColumnMissing: file-level warning, the file has no
	// column naming the structure (FINESS or establishment).
	CodeStructureColumnMissing = "structure_column_missing"
	// CodeContractEnded: the mission had already ended when the file was
	// read; it creates no work for the structure.
	CodeContractEnded = "contract_ended"
	// CodeContractStarted: the mission had already started when the file
	// was read; its items are urgent.
	CodeContractStarted = "contract_started"
	// CodeSheetHidden: the row comes from a hidden sheet that no agency
	// profile names; it is reported, not queued.
	CodeSheetHidden = "sheet_hidden"
)

// Issue is one problem found on a row, with a French sentence a HR person can act on.
type Issue struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Field names a canonical column of an agency file.
type Field string

// The canonical fields an agency column can map to.
const (
	FieldLastName      Field = "last_name"      // nom de naissance / nom
	FieldUsageName     Field = "usage_name"     // nom d'usage
	FieldFirstName     Field = "first_name"     // prénom(s)
	FieldFullName      Field = "full_name"      // "NOM Prénom" in one column
	FieldCivility      Field = "civility"       // M., Mme
	FieldIdentifier    Field = "identifier"     // RPPS, PSC form, or ADELI as typed
	FieldBirthDate     Field = "birth_date"     // date de naissance
	FieldBirthPlace    Field = "birth_place"    // commune de naissance
	FieldBirthDept     Field = "birth_dept"     // département de naissance
	FieldBirthCountry  Field = "birth_country"  // pays de naissance
	FieldNationality   Field = "nationality"    // nationalité
	FieldProfession    Field = "profession"     // qualification, fonction, métier
	FieldFINESS        Field = "finess"         // FINESS of the structure (site)
	FieldStructure     Field = "structure"      // établissement / site, as a name
	FieldContractStart Field = "contract_start" // début mission
	FieldContractEnd   Field = "contract_end"   // fin mission
	FieldEmail         Field = "email"
	FieldPhone         Field = "phone"
	FieldAgency        Field = "agency" // agence d'intérim
	FieldSIRET         Field = "siret"  // SIRET of the agency or the site
	FieldNIR           Field = "nir"    // social security number: recognised so it is never kept
)

// Name is a person's name as typed, with a folded form for matching.
type Name struct {
	Display string `json:"display"` // trimmed, spaces collapsed, case kept
	Folded  string `json:"folded"`  // no accents, case, hyphens or apostrophes (namekey.Fold)
}

// Record is one agency row after reading and normalisation: the original
// text per field is kept apart from the normalised values.
type Record struct {
	Path  string // the file it came from, as given
	Sheet string // sheet name; "" for CSV
	Row   int    // the row number Excel shows (or the CSV line), header rows counted

	Original map[Field]string // cell text as read (trimmed); dates as the cell shows them

	LastName    Name
	UsageName   Name
	FirstName   Name
	Civility    string // "M" or "MME" when known (from a civility column or a title typed in a name cell)
	Identifier  string // as typed, stripped of spaces, dots and dashes
	BirthDate   Date
	BirthPlace  string // as typed, trimmed
	BirthDept   string
	Country     string // birth country as typed
	Nationality string
	Profession  string // as typed, trimmed
	FINESS      string // stripped of spaces
	Structure   string
	Start, End  Date
	Email       string // lower-cased, trimmed
	Phone       string // digits, with +33 kept as typed country code
	Agency      string

	// HiddenSheet is true for a row of a sheet hidden in the workbook that
	// no agency profile names: it is reported, never queued.
	HiddenSheet bool

	// Issues are the problems found while reading (unreadable dates, wrong
	// number of fields…). The matcher adds its own to the Verdict.
	Issues []Issue
}

// Activity is one practice situation of a professional in the directory.
type Activity struct {
	FinessSite      string `json:"finess_site,omitempty"`
	FinessJuridique string `json:"finess_juridique,omitempty"`
	SiteName        string `json:"site_name,omitempty"`
	ModeCode        string `json:"mode_code,omitempty"`
	CommuneCode     string `json:"commune_code,omitempty"`
	RoleCode        string `json:"role_code,omitempty"`
}

// Card is a CPS or CPF card held by a professional, as the national
// extract Porteurs_CPS_CPF lists it (one line each).
type Card struct {
	RPPS       string // the holder's RPPS (Identifiant PP)
	Number     string // card number
	Type       string // "CPS" or "CPF"
	ValidFrom  Date   // start of validity
	ValidTo    Date   // end of validity
	OpposedAt  Date   // opposition date; zero when none
	UpdatedAt  Date   // last update
	Profession string // Code profession, when given
}

// BirthPlace is a resolved birth place. Code is the code in force on the
// birth date (what civil status carries: 20xxx in Corsica before 1976,
// 78xxx in Seine-et-Oise before 1968, 985xx in Mayotte before 2011), Name
// its name then; TodayCode and TodayName are the commune (or country) as
// it is today, which forms picking a commune by name from today's list
// (Portail RPPS+) need. Notes say, in French, each assumption made to
// resolve it (a historical name, a département guessed).
type BirthPlace struct {
	Code      string   `json:"code"`
	Name      string   `json:"name,omitempty"`
	TodayCode string   `json:"today_code,omitempty"`
	TodayName string   `json:"today_name,omitempty"`
	Notes     []string `json:"notes,omitempty"`
}

// Site is a structure site (FINESS géographique) of the directory, with the
// name its activities give it ("Raison sociale site").
type Site struct {
	FINESS string `json:"finess"`
	Name   string `json:"name,omitempty"`
}

// Professional is one person of the national directory with their activities.
type Professional struct {
	RPPS            string     `json:"rpps"`
	LastName        string     `json:"last_name"`  // nom d'exercice
	FirstName       string     `json:"first_name"` // prénom d'exercice
	ProfessionCode  string     `json:"profession_code"`
	ProfessionLabel string     `json:"profession_label"`
	Activities      []Activity `json:"activities"`
}

// Candidate is a directory person who may be the one a row without RPPS names.
// A candidate is always for a human to confirm.
type Candidate struct {
	RPPS           string   `json:"rpps"`
	Score          float64  `json:"score"`
	ProfessionCode string   `json:"profession_code,omitempty"`
	Reasons        []string `json:"reasons,omitempty"`
	// LastName, FirstName, ProfessionLabel and Sites are the directory's
	// (nom et prénom d'exercice, libellé de profession, sites of its
	// activities), filled when the queue item is built so that a human
	// confirms a person, not a number; empty in a check's output.
	LastName        string `json:"last_name,omitempty"`
	FirstName       string `json:"first_name,omitempty"`
	ProfessionLabel string `json:"profession_label,omitempty"`
	Sites           []Site `json:"sites,omitempty"`
}

// Verdict is the outcome of one row: the JSON row of CONTRACT.md.
type Verdict struct {
	Sheet          *string  `json:"sheet"`
	Row            int      `json:"row"`
	Status         Status   `json:"status"`
	RPPS           *string  `json:"rpps"`
	LastName       *string  `json:"last_name"`
	FirstName      *string  `json:"first_name"`
	ProfessionCode *string  `json:"profession_code"`
	Channel        *Channel `json:"channel"`
	BirthINSEE     *string  `json:"birth_insee"`
	// BirthPlace is the resolved birth place in full: the commune (or
	// country) at the birth date, today's, and the assumptions made.
	BirthPlace    *BirthPlace `json:"birth_place,omitempty"`
	FINESS        *string     `json:"finess"`
	ContractStart Date        `json:"contract_start"`
	ContractEnd   Date        `json:"contract_end"`
	Issues        []Issue     `json:"issues"`
	Candidates    []Candidate `json:"candidates"`
}

// FileError says why a whole file could not be read.
type FileError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *FileError) Error() string { return e.Message }

// SheetInfo describes one sheet of a workbook and what was done with it.
type SheetInfo struct {
	Name      string `json:"name"`
	Hidden    bool   `json:"hidden"`
	HeaderRow int    `json:"header_row,omitempty"` // 0 when skipped
	Skipped   string `json:"skipped,omitempty"`    // why, when skipped
}

// FileResult is everything a check says about one input file.
type FileResult struct {
	Path     string      `json:"path"`
	Error    *FileError  `json:"error"`
	Sheets   []SheetInfo `json:"sheets,omitempty"`
	Unmapped []string    `json:"unmapped_columns,omitempty"`
	// NIRColumns are the columns that carried social security numbers: their
	// values were dropped on reading, never stored or echoed.
	NIRColumns []string `json:"nir_columns_ignored,omitempty"`
	// Warnings are file-level facts the HR person should know (a file with
	// no structure column…); the file was still read.
	Warnings []Issue   `json:"warnings,omitempty"`
	Rows     []Verdict `json:"rows"`
}

// Ptr returns a pointer to s, or nil when s is empty: absent values are null.
func Ptr[T ~string](s T) *T {
	if s == "" {
		return nil
	}
	return &s
}
