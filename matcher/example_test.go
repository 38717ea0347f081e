package matcher_test

import (
	"context"
	"fmt"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

func ExampleParseIdentifier() {
	for _, typed := range []string{"8 10100271385", "101 002 713 86", "012800736"} {
		id := matcher.ParseIdentifier(typed)
		code := ""
		if len(id.Issues) > 0 {
			code = id.Issues[0].Code
		}
		fmt.Printf("%q kind=%s rpps=%s valid=%v issue=%s\n", typed, id.Kind, id.RPPS, id.Valid, code)
	}
	// Output:
	// "8 10100271385" kind=psc rpps=10100271385 valid=true issue=
	// "101 002 713 86" kind=rpps rpps= valid=false issue=rpps_checksum
	// "012800736" kind=adeli rpps= valid=false issue=adeli_not_rpps
}

func ExampleLookupProfession() {
	for _, label := range []string{"Infirmière", "AS", "Manip radio", "Plombier"} {
		p, ok := matcher.LookupProfession(label)
		fmt.Printf("%s: found=%v code=%q channel=%s contact=%q\n", label, ok, p.Code, p.Channel, p.Body)
	}
	// Output:
	// Infirmière: found=true code="60" channel=ordre contact="Ordre national des infirmiers"
	// AS: found=true code="" channel=rpps_plus contact="Portail RPPS+"
	// Manip radio: found=true code="98" channel=ars contact="ARS"
	// Plombier: found=false code="" channel= contact=""
}

func ExampleCompareNames() {
	m := matcher.CompareNames(matcher.PersonName{Last: "Dubois", First: "J-P"}, "DUBOIS", "JEAN-PIERRE")
	fmt.Println(m.Same(), m.Reasons)
	// Output: true [nom identique prénom en initiales]
}

// oneDoctor is a directory of one invented professional.
type oneDoctor struct{ p rppsync.Professional }

func (d oneDoctor) Professionals(_ context.Context, rpps []string) (map[string]rppsync.Professional, error) {
	out := map[string]rppsync.Professional{}
	for _, n := range rpps {
		if n == d.p.RPPS {
			out[n] = d.p
		}
	}
	return out, nil
}

func (d oneDoctor) ByNameKeys(_ context.Context, s *matcher.NameSearch) (map[string][]rppsync.Professional, error) {
	out := map[string][]rppsync.Professional{}
	if !s.Keep(d.p.LastName, d.p.FirstName) {
		return out, nil
	}
	for _, k := range namekey.Keys(namekey.Fold(d.p.LastName)) {
		if s.HasKey(k) {
			out[k] = []rppsync.Professional{d.p}
		}
	}
	return out, nil
}

// JuridiqueSites finds no legal entity: the one professional has no activity.
func (d oneDoctor) JuridiqueSites(context.Context, []string) (map[string][]rppsync.Site, error) {
	return map[string][]rppsync.Site{}, nil
}

func ExampleMatcher_Check() {
	dir := oneDoctor{rppsync.Professional{RPPS: "10100271385", LastName: "LEGER", FirstName: "ROMAIN",
		ProfessionCode: "10", ProfessionLabel: "Médecin"}}
	m, err := matcher.New(matcher.Config{Directory: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	rows := []rppsync.Record{
		{Row: 2, Identifier: "10100271385", LastName: rppsync.Name{Display: "Léger"}, FirstName: rppsync.Name{Display: "Romain"}, Profession: "Médecin"},
		{Row: 3, LastName: rppsync.Name{Display: "LEGER"}, FirstName: rppsync.Name{Display: "romain"}, Profession: "Dr"},
		{Row: 4, Identifier: "10100271385", LastName: rppsync.Name{Display: "Martin"}, FirstName: rppsync.Name{Display: "Zoé"}, Profession: "IDE"},
		{Row: 5, LastName: rppsync.Name{Display: "Martin"}, FirstName: rppsync.Name{Display: "Zoé"}, Profession: "AS"},
	}
	verdicts, err := m.Check(context.Background(), rows)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range verdicts {
		fmt.Print(v.Row, " ", v.Status)
		for _, c := range v.Candidates {
			fmt.Printf(" %s %.2f", c.RPPS, c.Score)
		}
		fmt.Println()
	}
	// Output:
	// 2 matched
	// 3 candidate 10100271385 0.92
	// 4 identity_mismatch
	// 5 to_register
}
