package directory_test

import (
	"context"
	"fmt"
	"log"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/directory"
	"github.com/rppsync/rppsync/matcher"
)

func ExampleNewActivityReader() {
	ex, err := directory.Open("../fixtures/directory/bad/PS_LibreAcces_Personne_activite_202611200800.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer ex.Close()
	r, err := directory.NewActivityReader(ex)
	if err != nil {
		log.Fatal(err)
	}
	for r.Next() {
		l := r.Line()
		fmt.Printf("%s %s %q\n", l.ID, l.LastName, l.FinessSite)
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	st := r.Stats()
	fmt.Printf("%s: %d lines, %d kept, %d ADELI, %d bad\n", ex.Date.Format("2006-01-02"), st.Lines, st.Kept, st.ADELI, st.Bad)
	for _, b := range st.Samples {
		fmt.Println(b.Line, b.Code)
	}
	// Output:
	// 10999000010 MARTIN "250999901"
	// 10999000119 FONTAINE ""
	// 10999000036 LEFÈVRE "690999909"
	// 10999000044 NGUYEN "690999909"
	// 2026-11-20: 9 lines, 4 kept, 1 ADELI, 4 bad
	// 3 field_count
	// 4 rpps_invalid
	// 5 id_type
	// 6 name_missing
}

func ExampleNewCardReader() {
	ex, err := directory.OpenCards("../fixtures/directory/Porteurs_CPS_CPF_202611200800.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer ex.Close()
	r, err := directory.NewCardReader(ex)
	if err != nil {
		log.Fatal(err)
	}
	for r.Next() {
		if c := r.Line(); c.RPPS == "10999000028" || !c.OpposedAt.IsZero() {
			fmt.Printf("%s %s valid to %s, opposed %q\n", c.RPPS, c.Type, c.ValidTo, c.OpposedAt)
		}
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 10999000028 CPS valid to 2026-12-10, opposed ""
	// 10999000077 CPS valid to 2027-05-01, opposed "2026-09-15"
}

func ExampleLoadFiltered() {
	ctx := context.Background()
	// Two agency rows: Claire Martin with her RPPS, Marie Dubois without.
	recs := []rppsync.Record{
		{Row: 2, LastName: rppsync.Name{Display: "Martin"}, FirstName: rppsync.Name{Display: "Claire"}, Identifier: "10999000010", Profession: "IDE"},
		{Row: 3, LastName: rppsync.Name{Display: "Dubois"}, FirstName: rppsync.Name{Display: "Marie"}, Profession: "IDE"},
	}
	rpps, names := matcher.Wanted(recs, 0)
	m, _, err := directory.LoadFiltered(ctx, "../fixtures/directory/PS_LibreAcces_Personne_activite_202611200800.txt",
		rpps, names)
	if err != nil {
		log.Fatal(err)
	}
	pros, err := m.Professionals(ctx, []string{"10999000010"})
	if err != nil {
		log.Fatal(err)
	}
	p := pros["10999000010"]
	fmt.Println(p.LastName, p.FirstName, p.ProfessionCode, p.Activities[0].FinessSite)
	byKey, err := m.ByNameKeys(ctx, names)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range byKey["N:DUBOIS"] {
		fmt.Println(p.RPPS, p.LastName, p.FirstName, p.ProfessionLabel, p.Activities[0].CommuneCode)
	}
	// Output:
	// MARTIN CLAIRE 60 250999901
	// 10999000085 DUBOIS MARIE Infirmier 25056
	// 10999000093 DUBOIS MARIE Médecin 13055
}
