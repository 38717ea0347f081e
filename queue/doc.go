// Package queue holds the decision logic of a structure's validation queue:
// which work items a checked agency row creates, how a human decision on a
// candidate moves an item on, and how the next directory load closes items
// by itself.
//
// It owns the item vocabulary (Kind, Audience, State, Event, Item,
// Registration, Entry), the identity of a contract (Contract) and the
// idempotency keys of workers, contracts and items, the rules that decide
// what an import does to a contract's items (PlanImport), the
// state machine (Item.Transition is the only place a state changes, and
// every change is appended to the item's History), and the French texts a
// HR person reads: the reason of each item and the labels of kinds, states
// and audiences.
//
// Items mean what they say (issue 12 §1):
//
//   - Every item names its worker (Item.Person, as the agency file gives the
//     name) and its contract periods (Item.Periods); the store adds the
//     agency (Entry.Agency). Candidates carry the directory's name,
//     profession and sites, not only a number and a score (BuildKnown).
//   - validate_activity is worded by who declares the activity: the
//     professional to their Ordre or to the ARS (the structure checks it
//     appears), the structure on Portail RPPS+ for the RPPS+ professions
//     and roles. When the directory already shows the RPPS at the FINESS
//     at import, the item says "Activité déjà déclarée : vérifiez les
//     dates" and records those activities (Item.Declared). Reconcile then
//     closes it only on a real change seen in a later extract: an activity
//     absent at creation that appears, or, for an already declared one, a
//     change of the activities at that FINESS; otherwise it expires with
//     its contract. A reload that shows the same thing closes nothing.
//   - order_mie is the person's, not the contract's: its key (MIEKey) is
//     the worker, the FINESS and the state of their CPS cards, so every
//     contract of one person at one structure that the same cards fail to
//     cover shares one item, its periods merged (MergeMIE), in one file or
//     across files of one agency. Its reason puts the e-CPS first (the
//     professional activates it, from a CPS card or the e-mail and mobile
//     known to the directory; a CPF holder can too) and a physical card only
//     where really needed. A card renewed before it expires continues the
//     old one (Cards.Cover): nothing is re-ordered.
//   - close_activity: when a contract whose RPPS+ activity was validated or
//     registered is over and the directory still shows the activity,
//     Reconcile's caller asks the structure to remove it (EndOfMission); it
//     is done when the directory no longer shows it.
//   - The agency's fix list: fix_data (invalid or foreign RPPS, unresolved
//     birth place, missing data, wrong or missing FINESS) and the Ordre/ARS
//     follow-ups (an RPPS the person must obtain) have AudienceAgency, and
//     every item of a row tied to no structure goes to the agency.
//
// It must not read files, talk to a database or the network, log, or read
// the clock: every function is deterministic, time is passed in, and the
// types are plain values with JSON tags and stable string enums so that the
// store package can persist them as they are. It imports rppsync for the
// shared domain types (Card among them) and matcher for Fold only.
package queue
