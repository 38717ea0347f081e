package queue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rppsync/rppsync"
)

// Op is what an import does to one stored item.
type Op int

// The operations PlanImport decides.
const (
	OpInsert Op = iota + 1 // a new item, pending
	OpUpdate               // a pending item whose content the new row changed
	OpCancel               // a pending item the new row no longer asks for
)

// String names the operation, for logs and tests.
func (o Op) String() string {
	switch o {
	case OpInsert:
		return "insert"
	case OpUpdate:
		return "update"
	case OpCancel:
		return "cancel"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Change is one decision of PlanImport: the item as it must be stored. For
// OpUpdate and OpCancel, Item.Key names the stored item it replaces.
type Change struct {
	Op   Op
	Item Item
}

// ContractItems is what PlanImport needs to know of one contract a file
// names.
type ContractItems struct {
	// Built are the items queue.Build made of the contract's last row in
	// the file.
	Built []Item
	// Stored are the items already stored under the keys of Built, in any
	// state, by key.
	Stored map[string]Item
	// Open are the pending items that earlier rows of the same contract
	// created (not those a human decision or a directory load created).
	// Empty for a contract seen for the first time.
	Open []Item
}

// PlanImport decides what a file's row does to the items of its contract,
// file naming the file (its base name) in the items' history:
//
//   - a built item whose key is new is inserted pending;
//   - a built item whose key is stored pending, with another content (what
//     a person reads or acts on: status, channel, RPPS, reason, body,
//     person, periods, registration, candidates, issues, due time),
//     replaces it in place (Declared excepted),
//     with an event naming the file and row; with the same content, nothing
//     happens;
//   - a stored item in a terminal state is never reopened nor created again;
//   - an open item of the contract that the row no longer builds is
//     cancelled, with an event naming the file.
//
// The changes come in the order of c.Built, then of c.Open.
func PlanImport(c ContractItems, file string, now time.Time) ([]Change, error) {
	var out []Change
	built := make(map[string]bool, len(c.Built))
	for _, it := range c.Built {
		built[it.Key] = true
		old, ok := c.Stored[it.Key]
		switch {
		case !ok:
			out = append(out, Change{OpInsert, it})
		case old.State.Terminal() || sameContent(old, it):
		default:
			upd := old
			upd.Status, upd.Channel, upd.RPPS, upd.Reason, upd.Body = it.Status, it.Channel, it.RPPS, it.Reason, it.Body
			upd.Source, upd.Registration, upd.Candidates, upd.Issues, upd.DueAt = it.Source, it.Registration, it.Candidates, it.Issues, it.DueAt
			// Declared stays what the directory showed when the item was
			// made: the activity appearing since then is what closes it.
			upd.Person, upd.Periods, upd.Start, upd.End = it.Person, it.Periods, it.Start, it.End
			upd.History = append(append([]Event(nil), old.History...), Event{At: now, From: old.State, To: old.State,
				Reason: fmt.Sprintf("Mis à jour par le fichier « %s » (ligne %d).", file, it.Source.Row)})
			out = append(out, Change{OpUpdate, upd})
		}
	}
	for _, old := range c.Open {
		if built[old.Key] || old.State != StatePending {
			continue
		}
		it, err := old.Transition(StateCancelled,
			fmt.Sprintf("Annulé : le fichier « %s » corrige cette ligne et ne demande plus cette action.", file), now)
		if err != nil {
			return nil, err
		}
		out = append(out, Change{OpCancel, it})
	}
	return out, nil
}

// itemContent is what makes two versions of an item different for a
// corrected file: everything a person reads or acts on, not where it came
// from nor its history.
type itemContent struct {
	Status       rppsync.Status
	Channel      rppsync.Channel
	RPPS         string
	Reason       string
	Body         string
	Registration *Registration
	Candidates   []rppsync.Candidate
	Issues       []rppsync.Issue
	DueAt        time.Time
	Person       *Person
	Periods      []Period
}

func (it Item) content() ([]byte, error) {
	return json.Marshal(itemContent{it.Status, it.Channel, it.RPPS, it.Reason, it.Body, it.Registration,
		nilIfEmpty(it.Candidates), nilIfEmpty(it.Issues), it.DueAt.UTC(), it.Person, nilIfEmpty(it.Periods)})
}

func sameContent(a, b Item) bool {
	ja, errA := a.content()
	jb, errB := b.content()
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
