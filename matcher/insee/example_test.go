package insee_test

import (
	"encoding/json"
	"fmt"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher/insee"
)

func ExampleIndex_Resolve() {
	ix := insee.Default()
	for _, text := range []string{"St Etienne (42)", "PARIS 15EME ARRONDISSEMENT", "Casablanca (Maroc)"} {
		r := ix.Resolve(text, "", rppsync.Date{})
		fmt.Println(r.Status, *r.Code, *r.Name)
	}
	// Output:
	// ok 42218 Saint-Étienne
	// ok 75115 Paris 15e Arrondissement
	// ok 99350 MAROC
}

func ExampleIndex_Resolve_birthDate() {
	ix := insee.Default()
	before := ix.Resolve("Courcouronnes", "", rppsync.Date{Year: 1985, Month: 3, Day: 2})
	after := ix.Resolve("Courcouronnes", "", rppsync.Date{Year: 2020, Month: 3, Day: 2})
	fmt.Println(*before.Code, *before.Name)
	fmt.Println(*after.Code, *after.Name)
	fmt.Println(after.Assumed)
	// Output:
	// 91182 Courcouronnes
	// 91228 Évry-Courcouronnes
	// Courcouronnes n'existait plus à la date de naissance (2020) : elle faisait alors partie d'Évry-Courcouronnes (91228).
}

func ExampleIndex_Resolve_json() {
	b, _ := json.Marshal(insee.Default().Resolve("75015", "", rppsync.Date{}))
	fmt.Println(string(b))
	// Output:
	// {"input":"75015","status":"postal_code","code":null,"name":null,"candidates":[{"code":"75115","name":"Paris 15e Arrondissement","dept":"75"}],"code_at_birth":null,"today_code":null,"today_name":null,"notes":[]}
}

func ExampleIndex_ResolveBirthPlace() {
	ix := insee.Default()
	code, issue := ix.ResolveBirthPlace("Saint-Denis", "", "", rppsync.Date{})
	fmt.Printf("%q %s\n%s\n", code, issue.Code, issue.Message)
	code, issue = ix.ResolveBirthPlace("Saint-Denis", "974", "", rppsync.Date{})
	fmt.Println(code, issue == nil)
	code, _ = ix.ResolveBirthPlace("Oran", "", "Algérie", rppsync.Date{})
	fmt.Println(code)
	// Output:
	// "" birth_place_ambiguous
	// Plusieurs communes correspondent au lieu de naissance « Saint-Denis » : Saint-Denis (11) 11339, Saint-Denis (30) 30247, Saint-Denis (93) 93066, Saint-Denis (974) 97411. Précisez le département de naissance, ou indiquez le code INSEE de la commune.
	// 97411 true
	// 99352
}
