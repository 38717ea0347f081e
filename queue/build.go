package queue

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

// Issue codes added by this package to fix_data items, next to the codes of
// rppsync the row already carries. They are stable snake_case.
const (
	CodeFINESSMissing          = rppsync.CodeFINESSMissing // the row names no structure
	CodeContractDatesMissing   = "contract_dates_missing"  // a contract date is absent
	CodeRPPSOtherPerson        = "rpps_other_person"       // identity_mismatch: the RPPS is someone else's
	CodeRPPSNotInDirectory     = "rpps_not_in_directory"   // rpps_unknown: well-formed, absent from the directory
	CodeRowUnusable            = "row_unusable"            // invalid row that carried no issue of its own
	CodeRegistrationIncomplete = "registration_incomplete" // Portail RPPS+ fields the agency must supply
)

// Build returns the work items one checked agency row creates, each pending
// with its creation event at now, in a fixed order. By the row's status:
//
//   - matched: validate_activity for the structure, worded by channel
//     (see BuildKnown for an activity already declared), and order_mie when
//     the card extract is loaded and no CPS card of that RPPS covers the
//     contract (see Cards.Cover), keyed by person (MIEKey) so that the
//     person's contracts share it. With no card extract, no order_mie is
//     created (one per worker would flood the queue with guesses) and the
//     validate_activity reason asks the structure to check the MIE itself;
//   - identity_mismatch, rpps_invalid, rpps_unknown, invalid: one fix_data
//     item for the agency, listing every problem of the row; but an
//     rpps_invalid row (an ADELI number, a typo in the RPPS) with
//     candidates gets a confirm_candidate item for the structure instead,
//     which confirms the identity (the row's issues kept on the item);
//   - candidate: confirm_candidate for the structure, carrying the
//     candidates and the pre-filled registration used if all are rejected;
//   - to_register: by channel, register_rpps_plus (structure) with the
//     pre-filled Registration, follow_up_ordre or follow_up_ars (agency);
//     with no channel (profession unknown), fix_data. A registration whose
//     Portail RPPS+ fields are incomplete, or whose birth place did not
//     resolve, also gets a fix_data item asking the agency for them. No
//     order_mie: a registrant has no RPPS yet, and their e-CPS activation is
//     due 48 h after the number arrives (Reconcile creates activate_ecps);
//   - unchecked: nothing. The number was not checked against any directory:
//     it is neither an error of the agency nor a known activity, and the next
//     run with a directory gives the row its real status and items;
//   - to_register with the directory_unavailable issue: nothing, for the
//     same reason, and because registering on RPPS+ someone who may already
//     hold an RPPS creates a duplicate identity.
//
// A row whose contract dates cannot be placed (a date absent, or an end
// before the start) gets only its fix_data item: an item must expire with
// its contract. A row tied to no structure (no FINESS, or one with a wrong
// key or shape) keeps its items, all addressed to the agency that sent it
// (Audience agency, FINESS ""), with a fix_data item saying why: nothing is
// lost, and no queue is made for a structure that does not exist.
//
// Dates are read as of now: a mission already ended asks nothing of the
// structure (its items for the structure are dropped, the agency's stay);
// the reason of each structure item of a mission already started begins
// with UrgentPrefix and the start date. A row of a hidden sheet
// (rppsync.Record.HiddenSheet) gets no item: it is only reported.
func Build(rec rppsync.Record, v rppsync.Verdict, cards Cards, now time.Time) []Item {
	return BuildKnown(rec, v, cards, Known{}, now)
}

// Known is what the national directory showed, when the rows were checked,
// of the professionals they name: the row's own RPPS and its candidates'.
// Pros may hold more people than a row names; others are ignored. The zero
// Known knows nobody: every activity is then taken as not yet declared and
// candidates carry no name.
type Known struct {
	Pros map[string]rppsync.Professional // by RPPS
}

// activitiesAt returns the activities the directory shows for rpps at
// finess (site or legal entity), in its order.
func (k Known) activitiesAt(rpps, finess string) []rppsync.Activity {
	p, ok := k.Pros[rpps]
	if !ok {
		return nil
	}
	var out []rppsync.Activity
	for _, a := range p.Activities {
		if activityAt(a, finess) {
			out = append(out, a)
		}
	}
	return out
}

// describe returns c with the directory's name, profession and sites of
// its RPPS, when k knows it.
func (k Known) describe(c rppsync.Candidate) rppsync.Candidate {
	p, ok := k.Pros[c.RPPS]
	if !ok {
		return c
	}
	c.LastName, c.FirstName, c.ProfessionLabel = p.LastName, p.FirstName, p.ProfessionLabel
	c.Sites = nil
	for _, a := range p.Activities {
		if a.FinessSite == "" || slices.ContainsFunc(c.Sites, func(s rppsync.Site) bool { return s.FINESS == a.FinessSite }) {
			continue
		}
		c.Sites = append(c.Sites, rppsync.Site{FINESS: a.FinessSite, Name: a.SiteName})
	}
	return c
}

// BuildKnown is Build with what the directory showed of the rows'
// professionals: a validate_activity whose activity the directory already
// shows at the FINESS says so ("activité déjà déclarée : vérifiez les
// dates") and records those activities in Item.Declared, and the
// candidates of a confirm_candidate item carry the directory's name,
// profession and sites.
func BuildKnown(rec rppsync.Record, v rppsync.Verdict, cards Cards, known Known, now time.Time) []Item {
	if v.Status == rppsync.StatusUnchecked || rec.HiddenSheet ||
		(v.Status == rppsync.StatusToRegister && hasCode(v.Issues, rppsync.CodeDirectoryUnavailable)) {
		return nil
	}
	d := newDraft(rec, v)
	d.known = known
	rowIssues := append(slices.Clone(v.Issues), rec.Issues...)
	blocking := d.placement(rowIssues)
	var items []Item
	fix := d.siteIssues(rowIssues)

	switch v.Status {
	case rppsync.StatusMatched:
		if d.rpps == "" { // a matched verdict always names its RPPS; never queue an activity without one
			fix = append(fix, rppsync.Issue{Field: string(rppsync.FieldIdentifier), Code: CodeRowUnusable,
				Message: "Le numéro RPPS de cette ligne n'a pas pu être relu : renvoyez la ligne avec le numéro RPPS."})
			break
		}
		items = d.matchedItems(cards, now)
	case rppsync.StatusIdentityMismatch:
		fix = append(fix, rppsync.Issue{Field: string(rppsync.FieldIdentifier), Code: CodeRPPSOtherPerson,
			Message: fmt.Sprintf("Le numéro RPPS %s appartient dans l'annuaire national à une autre personne : demandez à l'intérimaire son propre numéro RPPS (carte CPS, e-CPS ou courrier de l'Ordre).", d.rpps)})
		fix = append(fix, forAgency(without(v.Issues, "identity_mismatch"))...)
	case rppsync.StatusRPPSUnknown:
		fix = append(fix, rppsync.Issue{Field: string(rppsync.FieldIdentifier), Code: CodeRPPSNotInDirectory,
			Message: fmt.Sprintf("Le numéro RPPS %s est bien formé mais absent de l'annuaire national : vérifiez-le avec l'intérimaire (faute de frappe ?). S'il vient d'être attribué, il apparaîtra dans l'annuaire sous 24 h et cette demande se fermera seule.", d.rpps)})
		fix = append(fix, forAgency(without(v.Issues, "rpps_unknown"))...)
	case rppsync.StatusRPPSInvalid:
		if len(v.Candidates) > 0 {
			// The name search found who the person may be (an ADELI
			// number, a typo in the RPPS): the structure confirms the
			// identity instead of waiting for the agency.
			items = append(items, d.identityItem(v.Candidates, now))
			break
		}
		if !hasField(v.Issues, string(rppsync.FieldIdentifier)) {
			fix = append(fix, rppsync.Issue{Field: string(rppsync.FieldIdentifier), Code: rppsync.CodeRPPSFormat,
				Message: "L'identifiant fourni n'est pas un numéro RPPS valide : demandez à l'intérimaire son numéro RPPS exact (11 chiffres commençant par 10)."})
		}
		fix = append(fix, forAgency(v.Issues)...)
	case rppsync.StatusInvalid:
		fix = append(fix, forAgency(v.Issues)...)
		fix = append(fix, forAgency(rec.Issues)...)
		if len(fix) == 0 {
			fix = append(fix, rppsync.Issue{Code: CodeRowUnusable,
				Message: "La ligne ne peut pas être utilisée : vérifiez le nom, le prénom et les dates de mission, puis renvoyez-la."})
		}
	case rppsync.StatusCandidate:
		items = append(items, d.candidateItem(v.Candidates, now))
	case rppsync.StatusToRegister:
		var more []rppsync.Issue
		items, more = d.registrationItems(now)
		fix = append(fix, more...)
	default:
		fix = append(fix, rppsync.Issue{Code: CodeRowUnusable,
			Message: fmt.Sprintf("La ligne a un statut inattendu (%q) : renvoyez-la pour une nouvelle vérification.", v.Status)})
	}

	if len(blocking) > 0 {
		items = nil
		fix = append(blocking, fix...)
	}
	items = d.timed(items, now)
	if len(fix) > 0 {
		items = append(items, d.fixItem(fix, now))
	}
	return items
}

// timed applies the contract's dates as of now to the items for the
// structure: a mission already ended asks nothing of the structure (its
// items of that audience are dropped; the row carries contract_ended), and
// a mission already started makes them urgent: their reason begins with
// UrgentPrefix and the date it started.
func (d draft) timed(items []Item, now time.Time) []Item {
	today := rppsync.DateOf(now)
	switch {
	case !d.end.IsZero() && d.end.Before(today):
		return slices.DeleteFunc(items, func(it Item) bool { return it.Kind.Audience() == AudienceStructure })
	case !d.start.IsZero() && !today.Before(d.start):
		for i := range items {
			if items[i].Kind.Audience() == AudienceStructure {
				items[i].Reason = fmt.Sprintf("%s la mission a commencé le %s. %s", UrgentPrefix, frDate(d.start), items[i].Reason)
			}
		}
	}
	return items
}

// UrgentPrefix begins the reason of every item for the structure whose
// mission had already started when the item was made: those come first.
const UrgentPrefix = "URGENT :"

// siteIssues returns the problems that keep the row from reaching a
// structure: no FINESS, a FINESS with a wrong key or shape, or a legal
// entity's with several sites (the row's own issue then). Such a row's items go to the agency (see draft.item).
func (d draft) siteIssues(rowIssues []rppsync.Issue) []rppsync.Issue {
	if d.finess != "" {
		return nil
	}
	if own := pick(rowIssues, rppsync.CodeFINESSMissing, matcher.CodeFINESSFormat, matcher.CodeFINESSChecksum,
		matcher.CodeFINESSJuridiqueSites); len(own) > 0 {
		return own
	}
	return []rppsync.Issue{{Field: string(rppsync.FieldFINESS), Code: CodeFINESSMissing,
		Message: "Le numéro FINESS de l'établissement manque : indiquez le FINESS géographique du site où la mission a lieu."}}
}

// draft is what the items of one contract share. It is rebuilt from an
// item by Resolve and Reconcile (draftOf), so it holds nothing an Item
// does not, except what the caller gives again: the profession code (also
// on the Registration an item keeps) and what the directory showed.
type draft struct {
	worker   string
	finess   string
	start    rppsync.Date
	end      rppsync.Date
	status   rppsync.Status
	channel  rppsync.Channel
	rpps     string
	source   Source
	reg      *Registration   // the pre-filled registration, when the row may need one
	issues   []rppsync.Issue // the row's own issues, kept for decisions made later
	person   *Person         // the worker's name as the row gives it
	profCode string          // the row's profession code, when known
	known    Known           // what the directory showed at import (not kept on items)
}

func newDraft(rec rppsync.Record, v rppsync.Verdict) draft {
	start, end := contractDates(rec, v)
	d := draft{
		worker:   WorkerKey(rec, v),
		finess:   finessOf(rec, v),
		start:    start,
		end:      end,
		status:   v.Status,
		channel:  deref(v.Channel),
		rpps:     deref(v.RPPS),
		source:   Source{Path: rec.Path, Sheet: cmp.Or(deref(v.Sheet), rec.Sheet), Row: cmp.Or(v.Row, rec.Row)},
		issues:   slices.Clone(v.Issues),
		person:   personOf(rec, v),
		profCode: deref(v.ProfessionCode),
	}
	if v.Status == rppsync.StatusCandidate || v.Status == rppsync.StatusToRegister ||
		(v.Status == rppsync.StatusRPPSInvalid && len(v.Candidates) > 0) {
		d.reg = newRegistration(rec, v, d.finess, start, end)
	}
	return d
}

// personOf returns the worker's name as the row gives it (the verdict's
// when the record has none), or nil when the row names nobody.
func personOf(rec rppsync.Record, v rppsync.Verdict) *Person {
	p := &Person{
		LastName:  strings.TrimSpace(cmp.Or(rec.LastName.Display, deref(v.LastName))),
		UsageName: strings.TrimSpace(rec.UsageName.Display),
		FirstName: strings.TrimSpace(cmp.Or(rec.FirstName.Display, deref(v.FirstName))),
	}
	if p.LastName == "" && p.UsageName == "" && p.FirstName == "" {
		return nil
	}
	return p
}

func (d draft) contract() Contract {
	return Contract{Worker: d.worker, FINESS: d.finess, Start: d.start, End: d.end}
}

// item returns a new pending item of kind k with its creation event.
func (d draft) item(k Kind, reason string, now time.Time) Item {
	aud := k.Audience()
	if d.finess == "" {
		aud = AudienceAgency // no structure to give it to: the agency that sent the row holds it
	}
	it := Item{
		Key:      ItemKey(d.contract(), k),
		Kind:     k,
		Audience: aud,
		Worker:   d.worker,
		Status:   d.status,
		Channel:  d.channel,
		FINESS:   d.finess,
		RPPS:     d.rpps,
		Reason:   reason,
		Start:    d.start,
		End:      d.end,
		Source:   d.source,
		Person:   d.person,
	}
	if !d.start.IsZero() || !d.end.IsZero() {
		it.Periods = []Period{{Start: d.start, End: d.end}}
	}
	it, _ = it.transition(StatePending, "Créé : "+lowerFirst(d.sourceText())+".", "", now) // "" → pending is always allowed
	return it
}

func (d draft) sourceText() string {
	s := fmt.Sprintf("Ligne %d du fichier « %s »", d.source.Row, filepath.Base(d.source.Path))
	if d.source.Sheet != "" {
		s += fmt.Sprintf(" (feuille « %s »)", d.source.Sheet)
	}
	return s
}

// placement returns the problems of the contract dates that keep the
// contract from being placed in any queue, skipping those the row already
// reports. A missing FINESS is not one of them: see siteIssues.
func (d draft) placement(rowIssues []rppsync.Issue) []rppsync.Issue {
	var out []rppsync.Issue
	reported := slices.DeleteFunc(pick(rowIssues, rppsync.CodeDateInvalid, rppsync.CodeContractDatesReversed),
		func(i rppsync.Issue) bool {
			return i.Field != string(rppsync.FieldContractStart) && i.Field != string(rppsync.FieldContractEnd)
		})
	switch {
	case (d.start.IsZero() || d.end.IsZero() || d.end.Before(d.start)) && len(reported) > 0:
		out = append(out, reported...) // the row's own words; duplicates are dropped later
	case d.start.IsZero() || d.end.IsZero():
		out = append(out, rppsync.Issue{Field: string(rppsync.FieldContractStart), Code: CodeContractDatesMissing,
			Message: "Les dates de début et de fin de mission sont obligatoires : indiquez-les toutes les deux."})
	case d.end.Before(d.start):
		out = append(out, rppsync.Issue{Field: string(rppsync.FieldContractEnd), Code: rppsync.CodeContractDatesReversed,
			Message: fmt.Sprintf("La mission finit (%s) avant de commencer (%s) : corrigez les dates.", frDate(d.end), frDate(d.start))})
	}
	return out
}

func (d draft) matchedItems(cards Cards, now time.Time) []Item {
	declared := d.known.activitiesAt(d.rpps, d.finess)
	it := d.item(KindValidateActivity, d.activityReason(declared, cards.Known), now)
	it.Declared = declared
	items := []Item{it}
	if _, ok := cards.Cover(d.rpps, d.start, d.end); cards.Known && !ok {
		mie := d.item(KindOrderMIE, mieReason(cards.gap(d.rpps, d.start, d.end), d.start, it.Periods), now)
		mie.Key = MIEKey(d.worker, d.finess, cards.situation(d.rpps))
		items = append(items, mie)
	}
	return items
}

// activityReason words a validate_activity item by who declares the
// activity (DOMAIN.md): the professional to their Ordre or ARS, the
// structure on Portail RPPS+ for the RPPS+ professions and roles; and says
// when the directory already shows an activity at the FINESS.
func (d draft) activityReason(declared []rppsync.Activity, cardsKnown bool) string {
	var r string
	switch {
	case len(declared) > 0:
		r = fmt.Sprintf("Activité déjà déclarée : vérifiez les dates. L'annuaire national montre déjà ce professionnel (RPPS %s) dans votre établissement ; vérifiez que cette activité couvre la mission %s et, sinon, faites-la mettre à jour",
			d.rpps, period(d.start, d.end))
		switch d.channel {
		case rppsync.ChannelOrdre:
			r += fmt.Sprintf(" par le professionnel auprès de l'%s.", lowerFirst(OrdreBody(d.professionCode())))
		case rppsync.ChannelARS:
			r += fmt.Sprintf(" par le professionnel auprès de l'%s.", lowerFirst(BodyARS))
		default:
			r += " sur le Portail RPPS+."
		}
	case d.channel == rppsync.ChannelOrdre:
		r = fmt.Sprintf("Ce professionnel (RPPS %s) déclare lui-même son activité dans votre établissement auprès de l'%s pour la mission %s : demandez-lui de le faire, puis vérifiez qu'elle apparaît dans l'annuaire national (cet élément se fermera seul).",
			d.rpps, lowerFirst(OrdreBody(d.professionCode())), period(d.start, d.end))
	case d.channel == rppsync.ChannelARS:
		r = fmt.Sprintf("Ce professionnel (RPPS %s) déclare lui-même son activité dans votre établissement auprès de l'%s pour la mission %s : demandez-lui de le faire, puis vérifiez qu'elle apparaît dans l'annuaire national (cet élément se fermera seul).",
			d.rpps, lowerFirst(BodyARS), period(d.start, d.end))
	default:
		r = fmt.Sprintf("Enregistrez et validez sur le Portail RPPS+ l'activité de ce professionnel (RPPS %s) dans votre établissement pour la mission %s.",
			d.rpps, period(d.start, d.end))
	}
	if !cardsKnown {
		r += " Le fichier des cartes CPS n'était pas chargé : vérifiez vous-même qu'il dispose d'une e-CPS activée ou d'une carte CPS valide pour toute la mission."
	}
	return r
}

// professionCode returns the profession code of the row (or of the
// registration an item keeps), "" when unknown.
func (d draft) professionCode() string {
	if d.profCode != "" {
		return d.profCode
	}
	if d.reg != nil {
		return d.reg.ProfessionCode
	}
	return ""
}

func (d draft) candidateItem(candidates []rppsync.Candidate, now time.Time) Item {
	it := d.item(KindConfirmCandidate, fmt.Sprintf(
		"Aucun numéro RPPS n'a été fourni, mais l'annuaire national contient %d professionnel(s) qui pourrai(en)t être cette personne : confirmez le bon numéro RPPS, ou écartez-les tous si aucun n'est elle (une inscription sera alors préparée).",
		len(candidates)), now)
	it.Candidates = d.describe(candidates)
	it.Registration = d.reg
	it.Issues = d.issues
	return it
}

// describe returns the candidates with what the directory says of them.
func (d draft) describe(candidates []rppsync.Candidate) []rppsync.Candidate {
	out := make([]rppsync.Candidate, len(candidates))
	for i, c := range candidates {
		out[i] = d.known.describe(c)
	}
	return out
}

// identityItem is the confirm_candidate item of a row whose identifier is
// not an RPPS (an ADELI number, a typo) but whose name the directory knows.
func (d draft) identityItem(candidates []rppsync.Candidate, now time.Time) Item {
	what := "L'identifiant fourni n'est pas un numéro RPPS valide"
	if hasCode(d.issues, rppsync.CodeADELINotRPPS) {
		what = "L'identifiant fourni est un numéro ADELI : ce répertoire a été remplacé par le RPPS en 2024 et la personne a désormais un numéro RPPS"
	}
	it := d.item(KindConfirmCandidate, fmt.Sprintf(
		"%s. L'annuaire national contient %d professionnel(s) qui pourrai(en)t être cette personne : confirmez son identité et son numéro RPPS, ou écartez-les tous si aucun n'est elle (une inscription sera alors préparée).",
		what, len(candidates)), now)
	it.Candidates = d.describe(candidates)
	it.Registration = d.reg
	it.Issues = d.issues
	return it
}

// registrationItems returns the items of a person with no RPPS, by channel,
// and the problems the agency must fix for the registration to go through.
func (d draft) registrationItems(now time.Time) ([]Item, []rppsync.Issue) {
	reg := d.reg
	code := ""
	if reg != nil {
		code = reg.ProfessionCode
	}
	switch d.channel {
	case rppsync.ChannelRPPSPlus:
		reason := "Cette personne n'a pas de numéro RPPS et sa profession s'inscrit sur le Portail RPPS+ : inscrivez-la avec les informations pré-remplies, puis validez l'inscription. Le numéro arrive par e-mail sous 24 h."
		if len(reg.Missing) > 0 {
			reason += fmt.Sprintf(" Il manque : %s (à demander à l'agence).", frList(reg.Missing))
		}
		it := d.item(KindRegisterRPPSPlus, reason, now)
		it.Registration = reg
		return []Item{it}, d.registrationIssues(reg)
	case rppsync.ChannelOrdre:
		body := OrdreBody(code)
		it := d.item(KindFollowUpOrdre, fmt.Sprintf(
			"Cette personne n'a pas de numéro RPPS : faites-la s'inscrire auprès de l'%s avant le début de la mission (%s). Son numéro apparaîtra ensuite dans l'annuaire et cette relance se fermera seule.",
			lowerFirst(body), frDate(d.start)), now)
		it.Body = body
		it.Registration = reg.identity()
		return []Item{it}, nil
	case rppsync.ChannelARS:
		it := d.item(KindFollowUpARS, fmt.Sprintf(
			"Cette personne n'a pas de numéro RPPS : faites-la s'enregistrer auprès de l'%s avant le début de la mission (%s). Son numéro apparaîtra ensuite dans l'annuaire et cette relance se fermera seule.",
			lowerFirst(BodyARS), frDate(d.start)), now)
		it.Body = BodyARS
		it.Registration = reg.identity()
		return []Item{it}, nil
	}
	if iss := pick(d.issues, rppsync.CodeProfessionUnknown); len(iss) > 0 {
		return nil, iss
	}
	return nil, []rppsync.Issue{{Field: string(rppsync.FieldProfession), Code: rppsync.CodeProfessionUnknown,
		Message: "La profession n'est pas reconnue : indiquez-la en toutes lettres (par exemple « Infirmier », « Aide-soignant ») pour savoir qui doit l'inscrire."}}
}

// registrationIssues asks the agency for what a registration lacks: the
// row's birth-place issues, then the other missing fields.
func (d draft) registrationIssues(reg *Registration) []rppsync.Issue {
	out := pick(d.issues, rppsync.CodeBirthPlacePostalCode, rppsync.CodeBirthPlaceAmbiguous, rppsync.CodeBirthPlaceUnknown)
	missing := reg.Missing
	if len(out) > 0 {
		missing = slices.DeleteFunc(slices.Clone(missing), func(s string) bool { return s == missingBirthPlace })
	}
	if len(missing) > 0 {
		out = append(out, rppsync.Issue{Code: CodeRegistrationIncomplete,
			Message: fmt.Sprintf("Pour l'inscription sur le Portail RPPS+, il manque : %s. Envoyez ces informations à l'établissement.", frList(missing))})
	}
	return out
}

// forAgency returns issues less those that only inform (a mission already
// ended or started, a hidden sheet): they ask nothing of the agency.
func forAgency(issues []rppsync.Issue) []rppsync.Issue {
	return slices.DeleteFunc(slices.Clone(issues), func(is rppsync.Issue) bool {
		switch is.Code {
		case rppsync.CodeContractEnded, rppsync.CodeContractStarted, rppsync.CodeSheetHidden:
			return true
		}
		return false
	})
}

// without returns issues less those with the given code: the matcher's own
// wording of a problem this package words for the agency.
func without(issues []rppsync.Issue, code string) []rppsync.Issue {
	return slices.DeleteFunc(slices.Clone(issues), func(is rppsync.Issue) bool { return is.Code == code })
}

func (d draft) fixItem(issues []rppsync.Issue, now time.Time) Item {
	issues = uniqueIssues(issues)
	msgs := make([]string, 0, len(issues))
	for _, is := range issues {
		msgs = append(msgs, strings.TrimSpace(is.Message))
	}
	it := d.item(KindFixData, fmt.Sprintf("%s ne peut pas être traitée telle quelle. %s Corrigez la ligne et renvoyez-la.",
		d.sourceText(), strings.Join(msgs, " ")), now)
	it.Issues = issues
	return it
}

// The French names of the Portail RPPS+ fields, in form order.
const (
	missingCivility   = "civilité"
	missingBirthName  = "nom de naissance"
	missingFirstNames = "prénom(s)"
	missingBirthDate  = "date de naissance"
	missingBirthPlace = "lieu de naissance (code INSEE de la commune, ou pays si né à l'étranger)"
	missingEmail      = "adresse e-mail"
	missingPhone      = "téléphone"
	missingProfession = "profession ou rôle"
	missingFINESS     = "établissement (FINESS)"
	missingStart      = "date de début de mission"
	missingEnd        = "date de fin de mission"
)

func newRegistration(rec rppsync.Record, v rppsync.Verdict, finess string, start, end rppsync.Date) *Registration {
	r := &Registration{
		Civility:        rec.Civility,
		BirthName:       cmp.Or(rec.LastName.Display, deref(v.LastName)),
		UsageName:       rec.UsageName.Display,
		FirstNames:      cmp.Or(rec.FirstName.Display, deref(v.FirstName)),
		BirthDate:       rec.BirthDate,
		Nationality:     rec.Nationality,
		Email:           rec.Email,
		Phone:           rec.Phone,
		ProfessionCode:  deref(v.ProfessionCode),
		ProfessionLabel: rec.Profession,
		Role:            matcher.Role(rec.Profession),
		FINESS:          finess,
		Start:           start,
		End:             end,
	}
	if code := deref(v.BirthINSEE); strings.HasPrefix(code, "99") {
		r.BirthCountry = code
	} else {
		r.BirthINSEE = code
	}
	if bp := v.BirthPlace; bp != nil {
		r.BirthPlaceName, r.BirthNotes = bp.Name, bp.Notes
		if bp.TodayCode != bp.Code {
			r.BirthTodayCode, r.BirthTodayName = bp.TodayCode, bp.TodayName
		}
	}
	// A role profession (aide-soignant, brancardier…) has no code but a
	// recognised label: the form's role is known.
	r.Missing = r.missing(r.Role != "" || (v.Channel != nil && rec.Profession != ""))
	return r
}

// identity returns a copy of r without the Missing list: what a follow-up
// keeps to recognise the person in the directory once registered. Nothing is
// missing there, since the person registers themselves with their Ordre or
// the ARS.
func (r *Registration) identity() *Registration {
	c := *r
	c.Missing = nil
	return &c
}

func (r *Registration) missing(roleKnown bool) []string {
	var m []string
	add := func(empty bool, name string) {
		if empty {
			m = append(m, name)
		}
	}
	add(r.Civility == "", missingCivility)
	add(r.BirthName == "", missingBirthName)
	add(r.FirstNames == "", missingFirstNames)
	add(r.BirthDate.IsZero(), missingBirthDate)
	add(r.BirthINSEE == "" && r.BirthCountry == "", missingBirthPlace)
	add(r.Email == "", missingEmail)
	add(r.Phone == "", missingPhone)
	add(r.ProfessionCode == "" && !roleKnown, missingProfession)
	add(r.FINESS == "", missingFINESS)
	add(r.Start.IsZero(), missingStart)
	add(r.End.IsZero(), missingEnd)
	return m
}

func hasCode(issues []rppsync.Issue, code string) bool {
	return slices.ContainsFunc(issues, func(i rppsync.Issue) bool { return i.Code == code })
}

func hasField(issues []rppsync.Issue, field string) bool {
	return slices.ContainsFunc(issues, func(i rppsync.Issue) bool { return i.Field == field })
}

// pick returns the issues with one of codes, in their order.
func pick(issues []rppsync.Issue, codes ...string) []rppsync.Issue {
	var out []rppsync.Issue
	for _, i := range issues {
		if slices.Contains(codes, i.Code) {
			out = append(out, i)
		}
	}
	return out
}

func uniqueIssues(issues []rppsync.Issue) []rppsync.Issue {
	out := make([]rppsync.Issue, 0, len(issues))
	for _, i := range issues {
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}
