package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
	"github.com/rppsync/rppsync/report"
	"github.com/xuri/excelize/v2"
)

func ExampleWrite() {
	files := []rppsync.FileResult{{
		Path: "agence.csv",
		Rows: []rppsync.Verdict{
			{Row: 2, Status: rppsync.StatusMatched, RPPS: rppsync.Ptr("10101234567"),
				LastName: rppsync.Ptr("DURANDAL"), FirstName: rppsync.Ptr("Léonie"),
				ProfessionCode: rppsync.Ptr("60"), Channel: rppsync.Ptr(rppsync.ChannelOrdre)},
			{Row: 3, Status: rppsync.StatusInvalid, Issues: []rppsync.Issue{{
				Field: "last_name", Code: rppsync.CodeNameMissing,
				Message: "Le nom est vide : complétez la ligne avec le nom de l'intérimaire."}}},
		},
	}}
	now := time.Date(2026, time.December, 1, 6, 30, 0, 0, time.UTC)
	if err := report.Write(os.Stdout, report.FormatTable, files, report.Options{Now: now}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Fichier : agence.csv
	// Feuille  Ligne  Statut                        RPPS         Nom              Profession  Canal  FINESS  Contrat
	// —            2  RPPS vérifié (matched)        10101234567  DURANDAL Léonie  60          Ordre  —       —
	// —            3  Ligne inutilisable (invalid)  —            —                —           —      —       —
	//       ↳ Le nom est vide : complétez la ligne avec le nom de l'intérimaire. [name_missing]
	//
	// Résumé du 01/12/2026 à 06:30
	//   Fichiers : 1
	//   Lignes                                         2
	//   RPPS vérifié (matched)                         1
	//   RPPS d'une autre personne (identity_mismatch)  0
	//   RPPS absent de l'annuaire (rpps_unknown)       0
	//   RPPS invalide (rpps_invalid)                   0
	//   Candidat à confirmer (candidate)               0
	//   Enregistrement à faire (to_register)           0
	//   Ligne inutilisable (invalid)                   1
	//   Non vérifié (pas d'annuaire) (unchecked)       0
}

func ExampleSummarise() {
	files := []rppsync.FileResult{
		{Path: "a.csv", Rows: []rppsync.Verdict{{Row: 2, Status: rppsync.StatusCandidate}}},
		{Path: "b.xlsx", Error: &rppsync.FileError{Code: "file_unreadable", Message: "Fichier illisible."}},
	}
	b, _ := json.Marshal(report.Summarise(files))
	fmt.Println(string(b))
	// Output:
	// {"rows":1,"matched":0,"identity_mismatch":0,"rpps_unknown":0,"rpps_invalid":0,"candidate":1,"to_register":0,"invalid":0,"unchecked":0,"files":2,"file_errors":1}
}

func ExampleNeutralise() {
	fmt.Println(report.Neutralise(`=HYPERLINK("http://exemple.invalid")`))
	fmt.Println(report.Neutralise("DUPONT"))
	// Output:
	// '=HYPERLINK("http://exemple.invalid")
	// DUPONT
}

func ExampleParseFormat() {
	f, err := report.ParseFormat("XLSX")
	fmt.Println(f, err)
	_, err = report.ParseFormat("pdf")
	fmt.Println(err)
	// Output:
	// xlsx <nil>
	// format de rapport inconnu « pdf » : choisissez table, json, csv ou xlsx
}

func ExampleStatusLabel() {
	for _, s := range rppsync.Statuses {
		fmt.Printf("%s: %s\n", s, report.StatusLabel(s))
	}
	// Output:
	// matched: RPPS vérifié
	// identity_mismatch: RPPS d'une autre personne
	// rpps_unknown: RPPS absent de l'annuaire
	// rpps_invalid: RPPS invalide
	// candidate: Candidat à confirmer
	// to_register: Enregistrement à faire
	// invalid: Ligne inutilisable
	// unchecked: Non vérifié (pas d'annuaire)
}

// ExampleWriteQueue_xlsx writes a structure's queue as a workbook and reads
// it back: a "Résumé" sheet, then one sheet per kind of item.
func ExampleWriteQueue_xlsx() {
	start, _ := rppsync.NewDate(2026, 12, 1)
	items := []queue.Entry{
		{ID: 41, Agency: "Alpha Intérim", Item: queue.Item{Kind: queue.KindValidateActivity, State: queue.StatePending,
			FINESS: "250999901", RPPS: "10101234567", Start: start, Reason: "Validez l'activité sur le Portail RPPS+."}},
		{ID: 42, Agency: "Alpha Intérim", Item: queue.Item{Kind: queue.KindFixData, State: queue.StatePending,
			FINESS: "250999901", Reason: "Corrigez la ligne 7 et renvoyez-la.",
			Issues: []rppsync.Issue{{Code: "date_invalid", Message: "La date de début est illisible."}}}},
	}
	var buf bytes.Buffer
	now := time.Date(2026, time.December, 1, 6, 30, 0, 0, time.UTC)
	if err := report.WriteQueue(&buf, report.QueueXLSX, items, report.Options{Now: now, Title: "Structure FINESS 250999901"}); err != nil {
		fmt.Println(err)
		return
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer x.Close()
	fmt.Println(strings.Join(x.GetSheetList(), " | "))
	start1, _ := x.GetCellValue("Valider l’activité", "I2")
	issues, _ := x.GetCellValue("Corriger les données", "K2")
	fmt.Println(start1, "—", issues)
	// Output:
	// Résumé | Valider l’activité | Corriger les données
	// 01/12/2026 — La date de début est illisible. [date_invalid]
}
