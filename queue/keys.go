package queue

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

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
	last := matcher.Fold(cmp.Or(rec.LastName.Folded, rec.LastName.Display, deref(v.LastName)))
	first := matcher.Fold(cmp.Or(rec.FirstName.Folded, rec.FirstName.Display, deref(v.FirstName)))
	if last == "" && first == "" {
		return "row:" + hash(rec.Path, rec.Sheet, strconv.Itoa(rec.Row))
	}
	return "id:" + hash(last, first, rec.BirthDate.String())
}

// ContractKey returns the identity of one contract: the worker, the
// structure's FINESS and the contract's start and end dates (YYYY-MM-DD,
// empty when absent), separated by "|".
func ContractKey(rec rppsync.Record, v rppsync.Verdict) string {
	start, end := contractDates(rec, v)
	return contractKey(WorkerKey(rec, v), finessOf(rec, v), start, end)
}

// ItemKey returns the idempotency key of the item of kind k for a contract:
// ContractKey + "|" + k. A contract has at most one item of each kind.
func ItemKey(contract string, k Kind) string { return contract + "|" + string(k) }

func contractKey(worker, finess string, start, end rppsync.Date) string {
	return strings.Join([]string{worker, finess, start.String(), end.String()}, "|")
}

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
