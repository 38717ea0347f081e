package queue

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rppsync/rppsync"
)

// Kind says what a queue item asks someone to do. Its values are stable
// snake_case strings: they are stored and exported as they are.
type Kind string

// The kinds of work item.
const (
	KindValidateActivity Kind = "validate_activity"  // record the activity of a known RPPS for the contract dates
	KindRegisterRPPSPlus Kind = "register_rpps_plus" // register a "profession à rôle" on Portail RPPS+
	KindFollowUpOrdre    Kind = "follow_up_ordre"    // the agency gets the person registered with their Ordre
	KindFollowUpARS      Kind = "follow_up_ars"      // the agency gets the person registered with the ARS
	KindOrderMIE         Kind = "order_mie"          // no valid CPS card covers the contract: order an MIE
	KindActivateECPS     Kind = "activate_ecps"      // a new RPPS+ registrant activates their e-CPS
	KindFixData          Kind = "fix_data"           // the agency corrects the data of the row
	KindConfirmCandidate Kind = "confirm_candidate"  // a human confirms one directory candidate or rejects them all
	KindCloseActivity    Kind = "close_activity"     // the mission ended: remove the RPPS+ activity the structure declared
)

// Kinds lists every kind in the order reports show them.
var Kinds = []Kind{
	KindValidateActivity, KindRegisterRPPSPlus, KindFollowUpOrdre, KindFollowUpARS,
	KindOrderMIE, KindActivateECPS, KindFixData, KindConfirmCandidate, KindCloseActivity,
}

var kindLabels = map[Kind]string{
	KindValidateActivity: "Valider l'activité",
	KindRegisterRPPSPlus: "Inscrire sur le Portail RPPS+",
	KindFollowUpOrdre:    "Relancer l'inscription à l'Ordre",
	KindFollowUpARS:      "Relancer l'inscription à l'ARS",
	KindOrderMIE:         "Commander un moyen d'identification (e-CPS ou carte CPS)",
	KindActivateECPS:     "Faire activer la e-CPS",
	KindFixData:          "Corriger les données",
	KindConfirmCandidate: "Confirmer l'identité",
	KindCloseActivity:    "Clôturer l'activité (fin de mission)",
}

// Label returns the French label of k, or k itself when k is unknown.
func (k Kind) Label() string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { _, ok := kindLabels[k]; return ok }

// Audience returns who works on items of kind k: the agency for data fixes
// (invalid or foreign RPPS, unresolved birth place, wrong or missing FINESS)
// and Ordre/ARS follow-ups (an RPPS the person must obtain), the structure
// for everything else. An item whose row names no structure goes to the
// agency whatever its kind (see Build).
func (k Kind) Audience() Audience {
	switch k {
	case KindFixData, KindFollowUpOrdre, KindFollowUpARS:
		return AudienceAgency
	}
	return AudienceStructure
}

// Audience says who works on an item.
type Audience string

// The audiences.
const (
	AudienceStructure Audience = "structure" // the structure's gestionnaire RPPS+
	AudienceAgency    Audience = "agency"    // the temp agency that sent the row
)

// Label returns the French label of a, or a itself when a is unknown.
func (a Audience) Label() string {
	switch a {
	case AudienceStructure:
		return "Établissement"
	case AudienceAgency:
		return "Agence d'intérim"
	}
	return string(a)
}

// State is where an item stands. Its values are stable snake_case strings.
// The zero State means "not created yet": the only move from it is to
// StatePending, which is how Build records an item's creation.
type State string

// The states of an item. Pending is the only non-terminal state.
const (
	StatePending   State = "pending"   // waiting for someone to act, or for the directory to show it done
	StateDone      State = "done"      // fulfilled, by a person or seen in the directory
	StateCancelled State = "cancelled" // no longer needed (withdrawn by a person or replaced)
	StateExpired   State = "expired"   // the contract ended while the item was still pending
)

// States lists every state in the order reports show them.
var States = []State{StatePending, StateDone, StateCancelled, StateExpired}

var stateLabels = map[State]string{
	StatePending:   "À traiter",
	StateDone:      "Traité",
	StateCancelled: "Annulé",
	StateExpired:   "Expiré (mission terminée)",
}

// Label returns the French label of s, or s itself when s is unknown.
func (s State) Label() string {
	if l, ok := stateLabels[s]; ok {
		return l
	}
	return string(s)
}

// Valid reports whether s is one of States.
func (s State) Valid() bool { _, ok := stateLabels[s]; return ok }

// Terminal reports whether no move leaves s: done, cancelled and expired.
func (s State) Terminal() bool {
	return s == StateDone || s == StateCancelled || s == StateExpired
}

// CanMoveTo reports whether an item in state s may move to t: from nothing
// to pending (creation), and from pending to any terminal state. Terminal
// states never move: a new need makes a new item.
func (s State) CanMoveTo(t State) bool {
	switch s {
	case "":
		return t == StatePending
	case StatePending:
		return t.Terminal()
	}
	return false
}

// ParseKind returns the Kind spelled s, or an error wrapping ErrUnknownValue.
func ParseKind(s string) (Kind, error) {
	if k := Kind(s); k.Valid() {
		return k, nil
	}
	return "", fmt.Errorf("queue: kind %q: %w", s, ErrUnknownValue)
}

// ParseState returns the State spelled s, or an error wrapping ErrUnknownValue.
func ParseState(s string) (State, error) {
	if st := State(s); st.Valid() {
		return st, nil
	}
	return "", fmt.Errorf("queue: state %q: %w", s, ErrUnknownValue)
}

// Event is one change of an item's state, kept forever in its History.
type Event struct {
	At     time.Time `json:"at"`
	From   State     `json:"from"` // "" for the creation event
	To     State     `json:"to"`
	Reason string    `json:"reason"`         // French: why the state changed
	RPPS   string    `json:"rpps,omitempty"` // the RPPS learned by this change, when one was
}

// Source points back to the agency row an item came from, by identifiers
// only (never names).
type Source struct {
	Path  string `json:"path"`
	Sheet string `json:"sheet,omitempty"`
	Row   int    `json:"row"`
}

// Registration is everything Portail RPPS+ asks to register a professional,
// pre-filled from the agency row. BirthINSEE is the birth commune's INSEE
// code for a birth in France; BirthCountry is the country's 99xxx code for a
// birth abroad; exactly one of them is needed. UsageName and Nationality are
// filled when known and never listed as missing.
type Registration struct {
	Civility     string       `json:"civility"`
	BirthName    string       `json:"birth_name"`
	UsageName    string       `json:"usage_name"`
	FirstNames   string       `json:"first_names"`
	BirthDate    rppsync.Date `json:"birth_date"`
	BirthINSEE   string       `json:"birth_insee"`
	BirthCountry string       `json:"birth_country"`
	// BirthPlaceName is the commune (or country) under BirthINSEE (or
	// BirthCountry); BirthTodayCode and BirthTodayName the same place
	// today, where it changed since the birth (the form picks a commune by
	// name from today's list); BirthNotes the assumptions made to resolve
	// it, for the structure to check before filing.
	BirthPlaceName  string   `json:"birth_place_name,omitempty"`
	BirthTodayCode  string   `json:"birth_today_code,omitempty"`
	BirthTodayName  string   `json:"birth_today_name,omitempty"`
	BirthNotes      []string `json:"birth_notes,omitempty"`
	Nationality     string   `json:"nationality"`
	Email           string   `json:"email"`
	Phone           string   `json:"phone"`
	ProfessionCode  string   `json:"profession_code"`
	ProfessionLabel string   `json:"profession_label"` // as the agency typed it
	// Role is the normalised role of a "profession à rôle" registered on
	// Portail RPPS+ ("Aide-soignant" for "AS"), "" for a profession with a
	// code. No TRE_R85 role code is given: none could be confirmed from a
	// public source (see matcher.Profession).
	Role   string       `json:"role,omitempty"`
	FINESS string       `json:"finess"`
	Start  rppsync.Date `json:"start"`
	End    rppsync.Date `json:"end"`
	// Missing lists, in French and in form order, the fields Portail RPPS+
	// needs that are empty.
	Missing []string `json:"missing"`
}

// Person is the worker an item is about, as the agency file names them:
// what a HR person reads to know who the item concerns. It is personal
// data: the store erases it with the contract's data (Purge).
type Person struct {
	LastName  string `json:"last_name"`
	UsageName string `json:"usage_name,omitempty"`
	FirstName string `json:"first_name"`
}

// String returns the display name: "DUPONT (épouse MARTIN) Marie", or ""
// for a nil or empty Person.
func (p *Person) String() string {
	if p == nil {
		return ""
	}
	s := p.LastName
	if p.UsageName != "" && p.UsageName != p.LastName {
		s += " (" + p.UsageName + ")"
	}
	if p.FirstName != "" {
		if s != "" {
			s += " "
		}
		s += p.FirstName
	}
	return s
}

// Period is one contract period (both dates included).
type Period struct {
	Start rppsync.Date `json:"start"`
	End   rppsync.Date `json:"end"`
}

// Item is one work item of a structure's queue (or of an agency's fix list).
type Item struct {
	// Key is the idempotency key: the same worker, structure, contract dates
	// and kind always give the same key (see ItemKey), so importing a file
	// twice creates nothing new.
	Key      string          `json:"key"`
	Kind     Kind            `json:"kind"`
	Audience Audience        `json:"audience"`
	Worker   string          `json:"worker"`            // WorkerKey of the person
	Status   rppsync.Status  `json:"status"`            // the row's verdict (or the decision on a candidate) that created the item
	Channel  rppsync.Channel `json:"channel,omitempty"` // who registers this profession, when known
	FINESS   string          `json:"finess"`            // the structure (site) of the contract
	RPPS     string          `json:"rpps,omitempty"`    // the professional's RPPS, when known
	State    State           `json:"state"`
	Reason   string          `json:"reason"`         // French: why the item exists and what to do
	Body     string          `json:"body,omitempty"` // follow-ups: the body the person must register with
	Start    rppsync.Date    `json:"start"`
	End      rppsync.Date    `json:"end"`
	Source   Source          `json:"source"`
	// Person names the worker, for every item whose row gave a name.
	Person *Person `json:"person,omitempty"`
	// Periods are the contract periods the item covers, one per contract,
	// sorted: one for most items, several for an order_mie that serves
	// several contracts of one person at one structure (see MergeMIE; its
	// reason shows them merged, see MergePeriods). Start and End span them.
	Periods []Period `json:"periods,omitempty"`
	// Declared lists, on validate_activity, the activities the directory
	// showed for the RPPS at the FINESS when the item was made: empty when
	// the activity was absent (then the item is work to do, done when it
	// appears), non-empty when it was already declared (then the item asks
	// to check the dates, and is done only when those activities change).
	Declared []rppsync.Activity `json:"declared,omitempty"`

	// Registration is the person as the row gave them: pre-filled for
	// register_rpps_plus; kept by confirm_candidate for when all candidates
	// are rejected; kept by follow-ups (without Missing) to recognise the
	// person when they appear in the directory.
	Registration *Registration       `json:"registration,omitempty"`
	Candidates   []rppsync.Candidate `json:"candidates,omitempty"` // confirm_candidate, best first
	// Issues lists what the agency must correct (fix_data); on
	// confirm_candidate, the row's own issues, kept for when all candidates
	// are rejected.
	Issues  []rppsync.Issue `json:"issues,omitempty"`
	DueAt   time.Time       `json:"due_at,omitzero"` // activate_ecps: not before this time
	History []Event         `json:"history"`
}

// Entry is a work item as it is kept: the Item with the number people
// name it by, the agency whose file created its contract, and the
// contract it belongs to.
type Entry struct {
	ID int64 `json:"id"`
	Item
	Agency     string    `json:"agency"`
	ContractID int64     `json:"contract_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ErrInvalidTransition is returned (inside an *ItemError) when a state
// change is not allowed by State.CanMoveTo.
var ErrInvalidTransition = errors.New("state change not allowed")

// ErrNotPending is returned (inside an *ItemError) when an action needs a
// pending item and the item is already done, cancelled or expired.
var ErrNotPending = errors.New("item is not pending")

// ErrWrongKind is returned (inside an *ItemError) when an action is applied
// to an item of another kind, such as Resolve on a validate_activity item.
var ErrWrongKind = errors.New("item is of another kind")

// ErrNotACandidate is returned (inside an *ItemError) when Resolve is given
// an RPPS that is not among the item's candidates.
var ErrNotACandidate = errors.New("choice is not among the candidates")

// ErrUnknownValue is returned by ParseKind and ParseState for a spelling
// that is not one of Kinds or States.
var ErrUnknownValue = errors.New("unknown value")

// ItemError says which item an action failed on and why. Err is one of the
// sentinels above; use errors.Is on the error and errors.As to reach the
// item's key.
type ItemError struct {
	Key    string
	Kind   Kind
	State  State
	To     State  // the state asked for, for ErrInvalidTransition
	Choice string // the RPPS given, for ErrNotACandidate
	Err    error
}

func (e *ItemError) Error() string {
	switch {
	case errors.Is(e.Err, ErrInvalidTransition):
		return fmt.Sprintf("queue: item %s: %s → %s: %v", e.Key, e.State, e.To, e.Err)
	case errors.Is(e.Err, ErrNotACandidate):
		return fmt.Sprintf("queue: item %s: %q: %v", e.Key, e.Choice, e.Err)
	}
	return fmt.Sprintf("queue: item %s (%s, %s): %v", e.Key, e.Kind, e.State, e.Err)
}

// Unwrap returns the sentinel.
func (e *ItemError) Unwrap() error { return e.Err }

// Message returns a French sentence for the person who tried the action,
// saying what to do instead.
func (e *ItemError) Message() string {
	switch {
	case errors.Is(e.Err, ErrInvalidTransition), errors.Is(e.Err, ErrNotPending):
		return fmt.Sprintf("Cet élément est déjà %s : il ne peut plus changer. Rechargez la file pour voir son état actuel.",
			lowerFirst(e.State.Label()))
	case errors.Is(e.Err, ErrWrongKind):
		return fmt.Sprintf("Cet élément (« %s ») ne demande pas de choisir un candidat : traitez-le depuis sa propre action.",
			e.Kind.Label())
	case errors.Is(e.Err, ErrNotACandidate):
		return fmt.Sprintf("Le numéro RPPS %s ne fait pas partie des candidats proposés : choisissez l'un d'eux, ou écartez-les tous.",
			e.Choice)
	}
	return "Action impossible sur cet élément : rechargez la file et recommencez."
}

// Transition returns it moved to state to, with an Event recording reason
// and now appended to its History. It is the one place an item's state
// changes. It fails with an *ItemError wrapping ErrInvalidTransition when
// State.CanMoveTo forbids the move; it is left unchanged then.
func (it Item) Transition(to State, reason string, now time.Time) (Item, error) {
	return it.transition(to, reason, "", now)
}

func (it Item) transition(to State, reason, rpps string, now time.Time) (Item, error) {
	if !it.State.CanMoveTo(to) {
		return it, &ItemError{Key: it.Key, Kind: it.Kind, State: it.State, To: to, Err: ErrInvalidTransition}
	}
	// Clone so the caller's copy of it keeps its own History.
	it.History = append(slices.Clone(it.History), Event{
		At: now, From: it.State, To: to, Reason: reason, RPPS: rpps,
	})
	it.State = to
	return it, nil
}
