package directory

import "github.com/rppsync/rppsync"

// Line is one line of PS_LibreAcces_Personne_activite: one professional ×
// one practice situation, reduced to the columns rppsync needs for matching,
// reconciliation and MIE checks. Everything else in the extract is left out.
type Line struct {
	IDType          string // Type d'identifiant PP: "8" RPPS, "0" ADELI
	ID              string // Identifiant PP: the RPPS (11 digits) or ADELI (9)
	NationalID      string // Identification nationale PP: type digit + ID
	Civility        string // Code civilité
	LastName        string // Nom d'exercice
	FirstName       string // Prénom d'exercice
	ProfessionCode  string // Code profession
	ProfessionLabel string // Libellé profession
	CategoryCode    string // Code catégorie professionnelle
	ModeCode        string // Code mode exercice
	SIRETSite       string // Numéro SIRET site
	FinessSite      string // Numéro FINESS site
	FinessJuridique string // Numéro FINESS établissement juridique
	StructureID     string // Identifiant technique de la structure
	SiteName        string // Raison sociale site
	CommuneCode     string // Code commune (coord. structure)
	RoleCode        string // Code rôle (absent from legacy 52-column files)
}

// Activity returns the practice-situation part of l.
func (l Line) Activity() rppsync.Activity {
	return rppsync.Activity{
		FinessSite:      l.FinessSite,
		FinessJuridique: l.FinessJuridique,
		SiteName:        l.SiteName,
		ModeCode:        l.ModeCode,
		CommuneCode:     l.CommuneCode,
		RoleCode:        l.RoleCode,
	}
}

// Card is one line of Porteurs_CPS_CPF, as the domain package defines it:
// the readers here fill it, the queue reads it.
type Card = rppsync.Card
