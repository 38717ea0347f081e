package queue_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/rppsync/rppsync"
	"github.com/rppsync/rppsync/queue"
)

func TestWorkerKey(t *testing.T) {
	hashed := regexp.MustCompile(`^id:[0-9a-f]{64}$`)
	base := queue.WorkerKey(record(), verdict("to_register"))
	if !hashed.MatchString(base) {
		t.Fatalf("WorkerKey = %q, want id: and a SHA-256", base)
	}
	for _, part := range []string{"DURANDEL", "Durandel", "MAELLE", "Maëlle", "1990"} {
		if strings.Contains(base, part) {
			t.Errorf("WorkerKey %q shows %q", base, part)
		}
	}

	tests := []struct {
		name string
		rec  func(*rppsync.Record)
		v    rppsync.Verdict
		same bool   // same key as base
		want string // exact key, when set
	}{
		{"typed differently", func(r *rppsync.Record) {
			r.LastName, r.FirstName = name("  durandel ", ""), name("MAELLE", "")
		}, verdict("to_register"), true, ""},
		{"another file and row", func(r *rppsync.Record) { r.Path, r.Row = "b.csv", 40 }, verdict("candidate"), true, ""},
		{"another birth date", func(r *rppsync.Record) { r.BirthDate = date(1990, 3, 15) }, verdict("to_register"), false, ""},
		{"another first name", func(r *rppsync.Record) { r.FirstName = name("Maëlys", "MAELYS") }, verdict("to_register"), false, ""},
		{"names swapped", func(r *rppsync.Record) {
			r.LastName, r.FirstName = name("Maëlle", "MAELLE"), name("Durandel", "DURANDEL")
		}, verdict("to_register"), false, ""},
		{"own RPPS", nil, verdict("matched", withRPPS(rppsA)), false, "rpps:" + rppsA},
		{"unknown RPPS", nil, verdict("rpps_unknown", withRPPS(rppsA)), false, "rpps:" + rppsA},
		{"someone else's RPPS", nil, verdict("identity_mismatch", withRPPS(rppsA)), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record()
			if tt.rec != nil {
				tt.rec(&rec)
			}
			got := queue.WorkerKey(rec, tt.v)
			if (got == base) != tt.same {
				t.Errorf("WorkerKey = %q, same as base: %v, want %v", got, got == base, tt.same)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("WorkerKey = %q, want %q", got, tt.want)
			}
		})
	}

	// A row with no name at all is keyed by its place in its file.
	rec := record()
	rec.LastName, rec.FirstName = rppsync.Name{}, rppsync.Name{}
	v := verdict("invalid", func(v *rppsync.Verdict) { v.LastName, v.FirstName = nil, nil })
	k1 := queue.WorkerKey(rec, v)
	rec.Row = 6
	if k2 := queue.WorkerKey(rec, v); !strings.HasPrefix(k1, "row:") || k1 == k2 {
		t.Errorf("nameless rows: %q and %q", k1, k2)
	}
}

func TestContractKey(t *testing.T) {
	v := verdict("matched", withRPPS(rppsA))
	base := queue.ContractKey(record(), v)
	if want := "rpps:" + rppsA + "|" + finess + "|2026-12-01|2026-12-21"; base != want {
		t.Errorf("ContractKey = %q, want %q", base, want)
	}
	variants := map[string]rppsync.Verdict{
		"other FINESS": verdict("matched", withRPPS(rppsA), func(v *rppsync.Verdict) { v.FINESS = rppsync.Ptr(other) }),
		"other start":  verdict("matched", withRPPS(rppsA), func(v *rppsync.Verdict) { v.ContractStart = start.AddDays(1) }),
		"other end":    verdict("matched", withRPPS(rppsA), func(v *rppsync.Verdict) { v.ContractEnd = end.AddDays(1) }),
		"other worker": verdict("matched", withRPPS(rppsB)),
	}
	seen := map[string]string{base: "base"}
	for name, v := range variants {
		k := queue.ContractKey(record(), v)
		if prev, dup := seen[k]; dup {
			t.Errorf("%s and %s share the key %q", name, prev, k)
		}
		seen[k] = name
	}
	c := queue.ContractOf(record(), v)
	if c.Worker != "rpps:"+rppsA || c.FINESS != finess || c.Start != start || c.End != end {
		t.Errorf("ContractOf = %+v", c)
	}
	if got := queue.ItemKey(c, queue.KindOrderMIE); got != base+"|order_mie" {
		t.Errorf("ItemKey = %q", got)
	}
}
