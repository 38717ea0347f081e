package importer_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/importer"
)

func ExampleReadFile() {
	path := filepath.Join("..", "fixtures", "agencies", "interim-beta.csv")
	f, err := importer.ReadFile(context.Background(), path, importer.Options{})
	var fe *rppsync.FileError
	if errors.As(err, &fe) {
		fmt.Println(fe.Code, fe.Message)
		return
	}
	fmt.Println(f.Format, f.Encoding, f.Separator, len(f.Records))
	r := f.Records[1]
	fmt.Println(r.Row, r.LastName.Display, r.FirstName.Folded, r.Identifier, r.BirthDate, r.Phone, r.Email)
	// Output:
	// csv windows-1252 ; 7
	// 3 NGUYEN THI MAI 10999000044 1993-09-09 +33622334455 thi-mai.nguyen@example.org
}

func ExampleReadFile_error() {
	_, err := importer.ReadFile(context.Background(), filepath.Join("testdata", "broken", "legacy.xls"), importer.Options{})
	var fe *rppsync.FileError
	if errors.As(err, &fe) {
		fmt.Println(fe.Code)
		fmt.Println(fe.Message)
	}
	// Output:
	// file_unsupported
	// Le fichier « legacy.xls » est au format Excel 97-2003 (.xls) : enregistrez-le au format Excel (.xlsx) ou CSV (.csv) puis déposez-le à nouveau.
}

func ExampleMapHeader() {
	for _, h := range []string{"N° RPPS", "Né(e) le", "Mission Début", "N° Sécu", "Commentaire"} {
		f, ok := importer.MapHeader(h)
		fmt.Printf("%s → %q %v\n", h, f, ok)
	}
	// Output:
	// N° RPPS → "identifier" true
	// Né(e) le → "birth_date" true
	// Mission Début → "contract_start" true
	// N° Sécu → "nir" true
	// Commentaire → "" false
}

func ExampleParseDate() {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"12/04/90", "12 avril 1990", "31/02/1990"} {
		d, err := importer.ParseDate(s, now)
		fmt.Println(d, err)
	}
	// Output:
	// 1990-04-12 <nil>
	// 1990-04-12 <nil>
	//  date invalide: "31/02/1990" n'existe pas
}

// ExampleReadNameCell reads the civility and the usage name out of a name
// cell as agencies type it.
func ExampleReadNameCell() {
	c := importer.ReadNameCell("Mme DUPONT épouse MARTIN Claire", true)
	fmt.Printf("civility=%s birth=%s usage=%s first=%s\n", c.Civility, c.Birth, c.Usage, c.First)
	c = importer.ReadNameCell("Dr LEGER", false)
	fmt.Printf("civility=%q birth=%s title=%s\n", c.Civility, c.Birth, c.Title)
	// Output:
	// civility=MME birth=DUPONT usage=MARTIN first=Claire
	// civility="" birth=LEGER title=Dr
}
