package matcher

import (
	"strings"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
)

// Profession is what a free-text profession label means for registration:
// the directory's profession code (table TRE_G15), who registers it and
// whom to contact.
//
// Code is "" for the "professions à rôle" registered on Portail RPPS+
// (aide-soignant, ambulancier, secrétaire…): DOMAIN.md says their former
// codes 35–39 became role codes 313–317 in December 2024 without saying
// which is which, and no public copy of the ANS tables (TRE_G15, TRE_R85)
// could be read to confirm one, so no code is guessed; Channel is still
// rpps_plus and Label is the normalised role (Role). The same holds for
// ostéopathes and techniciens de laboratoire médical (ARS, code not
// confirmed).
type Profession struct {
	Code    string          // TRE_G15 profession code, or "" (see above)
	Label   string          // the directory's label for Code, or the role's name
	Channel rppsync.Channel // who registers it
	Body    string          // whom to contact: an Ordre, "ARS" or "Portail RPPS+"
}

// The bodies to contact, by channel and Ordre.
const (
	bodyARS      = "ARS"
	bodyRPPSPlus = "Portail RPPS+"
)

// professions holds one entry per profession; labels are the ways agencies
// write it (folded and reduced by professionKey before use).
var professions = []struct {
	p      Profession
	labels []string
}{
	{Profession{"10", "Médecin", rppsync.ChannelOrdre, "Ordre national des médecins"},
		[]string{"médecin", "medecin generaliste", "médecin généraliste", "dr", "docteur", "docteur en médecine",
			"interne", "interne en médecine", "praticien", "praticien hospitalier", "ph",
			"médecin anesthésiste", "médecin anesthésiste réanimateur", "urgentiste", "médecin urgentiste",
			"psychiatre", "pédiatre", "gériatre", "radiologue", "chirurgien", "gynécologue"}},
	{Profession{"21", "Pharmacien", rppsync.ChannelOrdre, "Ordre national des pharmaciens"},
		[]string{"pharmacien", "docteur en pharmacie", "pharmacien hospitalier", "pharmacien biologiste"}},
	{Profession{"40", "Chirurgien-Dentiste", rppsync.ChannelOrdre, "Ordre national des chirurgiens-dentistes"},
		[]string{"chirurgien dentiste", "dentiste", "chirurgien-dentiste", "orthodontiste"}},
	{Profession{"50", "Sage-Femme", rppsync.ChannelOrdre, "Ordre des sages-femmes"},
		[]string{"sage femme", "sage-femme", "sf", "maïeuticien", "maieuticienne"}},
	{Profession{"60", "Infirmier", rppsync.ChannelOrdre, "Ordre national des infirmiers"},
		[]string{"infirmier", "infirmière", "ide", "ide de nuit", "ide nuit", "infirmier diplômé d'état",
			"infirmière diplômée d'état", "inf", "ibode", "infirmier de bloc opératoire", "infirmière de bloc",
			"infirmier de bloc", "iade", "infirmier anesthésiste", "ipde", "puéricultrice", "puériculteur",
			"infirmière puéricultrice", "ipa", "infirmier en pratique avancée", "infirmier de nuit",
			"infirmier de soins généraux", "infirmier diplômé d'état de bloc opératoire",
			"infirmier diplômé d'état anesthésiste", "idec", "infirmier coordinateur"}},
	{Profession{"70", "Masseur-Kinésithérapeute", rppsync.ChannelOrdre, "Ordre des masseurs-kinésithérapeutes"},
		[]string{"masseur kinésithérapeute", "masseur-kinésithérapeute", "mk", "mkde", "kiné", "kine", "kinésithérapeute",
			"kinésithérapeute", "kinesitherapeute", "masseur kiné", "physiothérapeute"}},
	{Profession{"80", "Pédicure-Podologue", rppsync.ChannelOrdre, "Ordre national des pédicures-podologues"},
		[]string{"pédicure podologue", "pédicure-podologue", "podologue", "pédicure"}},
	{Profession{"26", "Audioprothésiste", rppsync.ChannelARS, bodyARS}, []string{"audioprothésiste"}},
	{Profession{"28", "Opticien-Lunetier", rppsync.ChannelARS, bodyARS}, []string{"opticien", "opticien lunetier", "opticien-lunetier"}},
	{Profession{"31", "Assistant dentaire", rppsync.ChannelARS, bodyARS}, []string{"assistant dentaire"}},
	{Profession{"32", "Physicien médical", rppsync.ChannelARS, bodyARS}, []string{"physicien médical", "physicien"}},
	// Infirmiers de secteur psychiatrique hold an infirmier diploma's
	// rights (Code de la santé publique, L4311-5) and, like every
	// infirmier, must register with the Ordre national des infirmiers
	// (L4311-15): the Ordre, not the ARS, registers them, whatever the
	// code the directory keeps for them.
	{Profession{"69", "Infirmier psychiatrique", rppsync.ChannelOrdre, "Ordre national des infirmiers"},
		[]string{"infirmier psychiatrique", "infirmier de secteur psychiatrique", "isp", "infirmier en psychiatrie"}},
	{Profession{"81", "Orthoprothésiste", rppsync.ChannelARS, bodyARS}, []string{"orthoprothésiste"}},
	{Profession{"82", "Podo-Orthésiste", rppsync.ChannelARS, bodyARS}, []string{"podo orthésiste", "podo-orthésiste"}},
	{Profession{"83", "Orthopédiste-Orthésiste", rppsync.ChannelARS, bodyARS}, []string{"orthopédiste orthésiste", "orthopédiste-orthésiste", "orthésiste"}},
	{Profession{"84", "Oculariste", rppsync.ChannelARS, bodyARS}, []string{"oculariste"}},
	{Profession{"85", "Épithésiste", rppsync.ChannelARS, bodyARS}, []string{"épithésiste"}},
	{Profession{"91", "Orthophoniste", rppsync.ChannelARS, bodyARS}, []string{"orthophoniste"}},
	{Profession{"92", "Orthoptiste", rppsync.ChannelARS, bodyARS}, []string{"orthoptiste"}},
	{Profession{"93", "Psychologue", rppsync.ChannelARS, bodyARS}, []string{"psychologue", "psychologue clinicien", "neuropsychologue"}},
	{Profession{"94", "Ergothérapeute", rppsync.ChannelARS, bodyARS}, []string{"ergothérapeute", "ergo"}},
	{Profession{"95", "Diététicien", rppsync.ChannelARS, bodyARS}, []string{"diététicien", "diététicienne", "diet"}},
	{Profession{"96", "Psychomotricien", rppsync.ChannelARS, bodyARS}, []string{"psychomotricien", "psychomot"}},
	{Profession{"98", "Manipulateur ERM", rppsync.ChannelARS, bodyARS},
		[]string{"manipulateur erm", "merm", "manip radio", "manipulateur radio", "manipulateur en électroradiologie",
			"manipulateur en électroradiologie médicale", "manipulateur d'électroradiologie médicale", "manipulateur"}},
	{Profession{"", "Ostéopathe", rppsync.ChannelARS, bodyARS}, []string{"ostéopathe"}},
	// Techniciens de laboratoire médical are registered by the ARS and now
	// appear in the RPPS; their TRE_G15 code could not be confirmed from a
	// public source, so none is given (the label and channel are enough to
	// route the registration).
	{Profession{"", "Technicien de laboratoire médical", rppsync.ChannelARS, bodyARS},
		[]string{"technicien de laboratoire", "technicien de laboratoire médical", "technicien laboratoire",
			"technicien de labo", "technicien labo", "tlm", "technicien en analyses biomédicales", "technicien biologie médicale"}},
	{Profession{"", "Aide-soignant", rppsync.ChannelRPPSPlus, bodyRPPSPlus},
		[]string{"aide soignant", "aide-soignant", "as", "as de nuit", "asd", "aide soignant diplômé", "aide soignant diplômé d'état", "asde",
			"asg", "assistant de soins en gérontologie"}},
	{Profession{"", "Agent de service hospitalier", rppsync.ChannelRPPSPlus, bodyRPPSPlus},
		[]string{"ash", "agent de service hospitalier", "agent de services hospitaliers", "agent des services hospitaliers",
			"agent de service hospitalier qualifié", "asht", "ashq"}},
	{Profession{"", "Auxiliaire de puériculture", rppsync.ChannelRPPSPlus, bodyRPPSPlus},
		[]string{"ap", "auxiliaire de puériculture", "auxiliaire puériculture", "auxiliaire de puer", "auxpuer"}},
	{Profession{"", "Brancardier", rppsync.ChannelRPPSPlus, bodyRPPSPlus}, []string{"brancardier"}},
	{Profession{"", "Ambulancier", rppsync.ChannelRPPSPlus, bodyRPPSPlus}, []string{"ambulancier", "ambulancier diplômé d'état", "auxiliaire ambulancier"}},
	{Profession{"", "Secrétaire médicale", rppsync.ChannelRPPSPlus, bodyRPPSPlus},
		[]string{"secrétaire médicale", "secrétaire médical", "secrétaire", "assistante médicale", "assistant médical", "secrétaire médico sociale"}},
	{Profession{"", "Préparateur en pharmacie", rppsync.ChannelRPPSPlus, bodyRPPSPlus},
		[]string{"préparateur en pharmacie", "préparateur en pharmacie hospitalière", "préparateur", "pph", "préparatrice en pharmacie"}},
}

var (
	professionByKey  = map[string]Profession{}
	professionByCode = map[string]Profession{}
)

func init() {
	for _, e := range professions {
		for _, l := range e.labels {
			k := professionKey(l)
			if prev, dup := professionByKey[k]; dup && prev != e.p {
				panic("matcher: profession label " + l + " maps to two professions")
			}
			professionByKey[k] = e.p
		}
		if e.p.Code != "" {
			professionByCode[e.p.Code] = e.p
		}
	}
}

// LookupProfession maps a profession label as agencies type it ("IDE",
// "Infirmière", "AS", "Aide-soignant(e)", "MK", "Sage femme", "IBODE H/F",
// "Infirmiers de nuit") to its profession. Case, accents, punctuation,
// plurals, feminine forms, "(e)" endings, "H/F" and shift qualifiers
// (nuit, jour, intérim…) are ignored. An unknown label is not found: it is
// flagged, never guessed.
func LookupProfession(label string) (Profession, bool) {
	k := professionKey(label)
	if k == "" {
		return Profession{}, false
	}
	p, ok := professionByKey[k]
	return p, ok
}

// ProfessionByCode returns the profession of a directory profession code
// (TRE_G15, e.g. "60"), or false when the code is not one this package knows.
func ProfessionByCode(code string) (Profession, bool) {
	p, ok := professionByCode[strings.TrimSpace(code)]
	return p, ok
}

// dropWords are words that carry no profession: articles, "H/F", gender
// endings typed as "(e)", "(ne)", "/ère", and shift or contract qualifiers.
var dropWords = map[string]bool{
	"DE": true, "D": true, "DU": true, "DES": true, "EN": true, "LA": true, "LE": true, "L": true, "ET": true,
	"H": true, "F": true, "HF": true, "FH": true,
	"E": true, "ES": true, "NE": true, "NES": true, "ERE": true, "ERES": true, "TRICE": true, "RICE": true, "EUSE": true, "ANTE": true, "S": true,
	"NUIT": true, "JOUR": true, "INTERIM": true, "INTERIMAIRE": true, "REMPLACANT": true, "REMPLACEMENT": true,
	"VACATAIRE": true, "CDD": true, "CDI": true, "MISSION": true,
}

// professionKey folds a label and reduces each word to a masculine singular
// stem so that gendered and plural forms meet.
func professionKey(label string) string {
	words := strings.Fields(namekey.Fold(label))
	out := words[:0]
	for _, w := range words {
		w = stemWord(w)
		if dropWords[w] {
			continue
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// stemWord turns a folded French word into a masculine singular stem:
// INFIRMIERES → INFIRMIER, SOIGNANTE → SOIGNANT, PREPARATRICE → PREPARATEUR,
// DIETETICIENNE → DIETETICIEN, DIPLOMEE → DIPLOME. Short words (abbreviations)
// are kept as they are.
func stemWord(w string) string {
	if len(w) < 5 {
		return w
	}
	if strings.HasSuffix(w, "S") || strings.HasSuffix(w, "X") {
		w = w[:len(w)-1]
	}
	for _, r := range [...]struct{ from, to string }{
		{"IENNE", "IEN"}, {"IERE", "IER"}, {"TRICE", "TEUR"}, {"ANTE", "ANT"}, {"EUSE", "EUR"},
		{"EURE", "EUR"}, {"EE", "E"}, {"ALE", "AL"},
	} {
		if strings.HasSuffix(w, r.from) && len(w) > len(r.from)+1 {
			return w[:len(w)-len(r.from)] + r.to
		}
	}
	return w
}

// Role returns the normalised role of a "profession à rôle" registered on
// Portail RPPS+ ("Aide-soignant" for "AS", "aide soignante de nuit"), or ""
// for a profession with a code or an unknown label. It is what the RPPS+
// registration form asks as the role.
func Role(label string) string {
	p, ok := LookupProfession(label)
	if !ok || p.Code != "" || p.Channel != rppsync.ChannelRPPSPlus {
		return ""
	}
	return p.Label
}
