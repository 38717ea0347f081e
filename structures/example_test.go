package structures_test

import (
	"fmt"
	"strings"

	"github.com/rppsync/rppsync/structures"
)

func ExampleParse() {
	f, err := structures.Parse(strings.NewReader(`{
	  "version": 1,
	  "structures": [{"finess": "250 999 901", "name": "Centre hospitalier synthétique de Besançon",
	    "aliases": ["CH SYNTHETIQUE DE BESANCON"], "contacts": [{"email": "drh@chsb.example.org", "role": "rh"}]}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	finess, ok := f.Resolve("ch synthétique de Besançon")
	fmt.Println(finess, ok)
	_, ok = f.Resolve("CH Besançon") // not configured: never guessed
	fmt.Println(ok)
	s, _ := f.Lookup(finess)
	fmt.Println(s.Digest.Time, s.Digest.UrgentHours)
	// Output:
	// 250999901 true
	// false
	// 07:00 72
}

func ExampleConfigError() {
	_, err := structures.Parse(strings.NewReader(`{"version": 1, "structures": [
	  {"finess": "250999902", "name": "CH A", "contacts": [{"email": "drh@chsb.example.org"}]}]}`))
	fmt.Println(err)
	// Output:
	// Configuration des structures invalide :
	// structure n°1 (FINESS 250999902), champ « finess » : La clé de contrôle du numéro FINESS « 250999902 » est fausse : c'est presque certainement une faute de frappe ; recopiez-le depuis le répertoire FINESS.
}
