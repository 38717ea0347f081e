package queue_test

import (
	"fmt"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

// A row with no RPPS for an aide-soignante: the structure registers her on
// Portail RPPS+; two nights later she appears in the directory at the
// structure, the registration closes itself and her e-CPS activation is due
// 48 h later.
func Example() {
	imported := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	rec := rppsync.Record{
		Path: "agence-alpha.xlsx", Sheet: "Contrats", Row: 7,
		LastName: rppsync.Name{Display: "Quérand", Folded: "QUERAND"}, FirstName: rppsync.Name{Display: "Inès", Folded: "INES"},
		Civility: "MME", Email: "i.querand@example.org", Profession: "AS",
	}
	rec.BirthDate, _ = rppsync.NewDate(1994, time.July, 2)
	v := rppsync.Verdict{
		Status: rppsync.StatusToRegister, Row: 7,
		Channel: rppsync.Ptr(rppsync.ChannelRPPSPlus), ProfessionCode: rppsync.Ptr("313"),
		BirthINSEE: rppsync.Ptr("25056"), FINESS: rppsync.Ptr("259999991"),
	}
	v.ContractStart, _ = rppsync.NewDate(2026, time.December, 1)
	v.ContractEnd, _ = rppsync.NewDate(2026, time.December, 21)

	for _, it := range queue.Build(rec, v, queue.Cards{}, imported) {
		fmt.Printf("%s (%s, %s): %s\n", it.Kind.Label(), it.Audience.Label(), it.State.Label(), it.Reason)
		if it.Registration != nil {
			fmt.Println("  manque :", it.Registration.Missing)
		}
		if it.Kind != queue.KindRegisterRPPSPlus {
			continue
		}
		today, _ := rppsync.NewDate(2026, time.November, 22)
		seen := queue.Snapshot{Today: today, AtFINESS: []rppsync.Professional{{
			RPPS: "10000990019", LastName: "QUERAND", FirstName: "INES",
			Activities: []rppsync.Activity{{FinessSite: "259999991", RoleCode: "313"}},
		}}}
		done, next, _ := queue.Reconcile(it, seen, imported.Add(48*time.Hour))
		fmt.Println(done.State.Label()+":", done.History[len(done.History)-1].Reason)
		for _, n := range next {
			fmt.Printf("%s, RPPS %s, à partir du %s\n", n.Kind.Label(), n.RPPS, n.DueAt.Format("02/01/2006 15h04"))
		}
	}
	// Output:
	// Inscrire sur le Portail RPPS+ (Établissement, À traiter): Cette personne n'a pas de numéro RPPS et sa profession s'inscrit sur le Portail RPPS+ : inscrivez-la avec les informations pré-remplies, puis validez l'inscription. Le numéro arrive par e-mail sous 24 h. Il manque : téléphone (à demander à l'agence).
	//   manque : [téléphone]
	// Traité: Inscription constatée : la personne apparaît dans l'annuaire national à cet établissement avec le numéro RPPS 10000990019.
	// Faire activer la e-CPS, RPPS 10000990019, à partir du 24/11/2026 02h00
	// Corriger les données (Agence d'intérim, À traiter): Ligne 7 du fichier « agence-alpha.xlsx » (feuille « Contrats ») ne peut pas être traitée telle quelle. Pour l'inscription sur le Portail RPPS+, il manque : téléphone. Envoyez ces informations à l'établissement. Corrigez la ligne et renvoyez-la.
}

// Resolve records the structure's choice among the directory's candidates.
func ExampleResolve() {
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	rec := rppsync.Record{Path: "agence-alpha.xlsx", Row: 9,
		LastName: rppsync.Name{Display: "Valmont", Folded: "VALMONT"}, FirstName: rppsync.Name{Display: "Léo", Folded: "LEO"}}
	v := rppsync.Verdict{Status: rppsync.StatusCandidate, Row: 9,
		Channel: rppsync.Ptr(rppsync.ChannelOrdre), ProfessionCode: rppsync.Ptr("60"), FINESS: rppsync.Ptr("259999991"),
		Candidates: []rppsync.Candidate{{RPPS: "10000990027", Score: 0.9}}}
	v.ContractStart, _ = rppsync.NewDate(2026, time.December, 1)
	v.ContractEnd, _ = rppsync.NewDate(2026, time.December, 5)

	item := queue.Build(rec, v, queue.Cards{}, at)[0]
	if _, _, err := queue.Resolve(item, "10000990035", queue.Cards{}, at); err != nil {
		fmt.Println(err.(*queue.ItemError).Message())
	}
	closed, next, _ := queue.Resolve(item, "10000990027", queue.Cards{Known: true}, at)
	fmt.Println(closed.State, closed.RPPS)
	for _, n := range next {
		fmt.Println(n.Kind, n.Key)
	}
	// Output:
	// Le numéro RPPS 10000990035 ne fait pas partie des candidats proposés : choisissez l'un d'eux, ou écartez-les tous.
	// done 10000990027
	// validate_activity rpps:10000990027|259999991|2026-12-01|2026-12-05|validate_activity
	// order_mie mie|rpps:10000990027|259999991|no-cps
}
