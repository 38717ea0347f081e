package queue

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/rppsync/rppsync/namekey"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/matcher"
)

// sep separates the parts of a hashed identity; it cannot occur in a folded
// name (Fold keeps letters, digits and single spaces only).
const sep = "\x1f"

// WorkerKey returns the identity of the worker a row names, for keys:
//
//   - "rpps:" + the RPPS when the verdict holds a valid RPPS that is the
//     person's own (every status but identity_mismatch, where the number
//     belongs to somebody else);
//   - otherwise "id:" + the SHA-256 (hex) of the folded last name, folded
//     first name and birth date, so the same person gives the same key in
//     every file whatever the accents, case or hyphens typed, and the key
//     never shows the name in clear. It is a pseudonym, not anonymity:
//     whoever knows a name and birth date can recompute it;
//   - "row:" + the SHA-256 of file, sheet and row when the row has no name
//     at all (such a row can only produce a fix_data item).
func WorkerKey(rec rppsync.Record, v rppsync.Verdict) string {
	if v.RPPS != nil && *v.RPPS != "" && v.Status != rppsync.StatusIdentityMismatch {
		return "rpps:" + *v.RPPS
	}
	last := namekey.Fold(cmp.Or(rec.LastName.Folded, rec.LastName.Display, deref(v.LastName)))
	first := namekey.Fold(cmp.Or(rec.FirstName.Folded, rec.FirstName.Display, deref(v.FirstName)))
	if last == "" && first == "" {
		return "row:" + hash(rec.Path, rec.Sheet, strconv.Itoa(rec.Row))
	}
	return "id:" + hash(last, first, rec.BirthDate.String())
}

// Contract is the identity of one contract: the worker (WorkerKey), the
// structure's FINESS and the contract's start and end dates (zero when
// absent). Two rows naming the same Contract, from the same agency, are the
// same contract: a later one updates it. Store it field by field; Key is its
// one-string form, for idempotency keys and logs.
type Contract struct {
	Worker string
	FINESS string
	Start  rppsync.Date
	End    rppsync.Date
}

// ContractOf returns the contract a checked row names.
func ContractOf(rec rppsync.Record, v rppsync.Verdict) Contract {
	start, end := contractDates(rec, v)
	return Contract{Worker: WorkerKey(rec, v), FINESS: finessOf(rec, v), Start: start, End: end}
}

// Key returns the contract's identity as one string: worker, FINESS and
// dates (YYYY-MM-DD, empty when absent) separated by "|". It is what the
// database's unique key and every ItemKey are made of; it is never split
// back into its parts (the Contract is).
func (c Contract) Key() string {
	return strings.Join([]string{c.Worker, c.FINESS, c.Start.String(), c.End.String()}, "|")
}

// ContractKey returns ContractOf(rec, v).Key().
func ContractKey(rec rppsync.Record, v rppsync.Verdict) string { return ContractOf(rec, v).Key() }

// ItemKey returns the idempotency key of the item of kind k of contract c:
// c.Key() + "|" + k. A contract has at most one item of each kind.
func ItemKey(c Contract, k Kind) string { return c.Key() + "|" + string(k) }

func hash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, sep)))
	return hex.EncodeToString(sum[:])
}

func deref[T ~string](p *T) T {
	if p == nil {
		return ""
	}
	return *p
}

// finessOf returns the contract's FINESS: the verdict's normalised one, or
// the record's when it is a valid FINESS and the verdict raised no issue
// on it. A FINESS with a wrong key or shape, or a legal entity's with
// several sites, names no structure: "" then, so that no queue is made for
// a structure that does not exist (the row's FINESS issue goes to the
// agency).
func finessOf(rec rppsync.Record, v rppsync.Verdict) string {
	if f := strings.TrimSpace(deref(v.FINESS)); f != "" {
		return f
	}
	for _, is := range v.Issues {
		if is.Code == matcher.CodeFINESSJuridiqueSites {
			return ""
		}
	}
	if f := strings.TrimSpace(rec.FINESS); f != "" {
		if n, err := matcher.ValidFINESS(f); err == nil {
			return n
		}
	}
	return ""
}

// contractDates returns the contract dates: the verdict's, else the record's.
func contractDates(rec rppsync.Record, v rppsync.Verdict) (start, end rppsync.Date) {
	start, end = v.ContractStart, v.ContractEnd
	if start.IsZero() {
		start = rec.Start
	}
	if end.IsZero() {
		end = rec.End
	}
	return start, end
}

// PersonKey returns the identity of the person a row names by name and
// birth date, whatever RPPS it gives: the SHA-256 (hex) of the folded last
// name, folded first name and birth date, or "" when one of them is
// missing. It lets a corrected row that now carries the RPPS, or another
// structure or other dates, be recognised as the same person (see
// Supersedes). Like an "id:" WorkerKey it can be recomputed by whoever
// knows the name and birth date: a purge erases it.
func PersonKey(rec rppsync.Record, v rppsync.Verdict) string {
	last := namekey.Fold(cmp.Or(rec.LastName.Folded, rec.LastName.Display, deref(v.LastName)))
	first := namekey.Fold(cmp.Or(rec.FirstName.Folded, rec.FirstName.Display, deref(v.FirstName)))
	if last == "" || first == "" || rec.BirthDate.IsZero() {
		return ""
	}
	return hash(last, first, rec.BirthDate.String())
}
