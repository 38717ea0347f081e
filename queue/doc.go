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
// It must not read files, talk to a database or the network, log, or read
// the clock: every function is deterministic, time is passed in, and the
// types are plain values with JSON tags and stable string enums so that the
// store package can persist them as they are. It imports rppsync for the
// shared domain types (Card among them) and matcher for Fold only.
package queue
