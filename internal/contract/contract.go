// Package contract checks that rppsync's JSON outputs have the shapes the
// command-line contract promises (CONTRACT.md of the team's shared notes):
// keys present (absent values are null), vocabularies (statuses, channels,
// kinds), formats (RPPS, INSEE codes, dates, snake_case codes). It checks
// shapes, not whether a verdict is right. Tests of the project use it, so
// that a clone of the repository alone checks its outputs; it must only be
// imported from tests and tools.
package contract

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// Modes of Check.
const (
	ModeCheck   = "check"   // rppsync check --format json
	ModeCommune = "commune" // rppsync lookup commune --format json
	ModeRPPS    = "rpps"    // rppsync lookup rpps --format json
)

var (
	statuses = set("matched", "identity_mismatch", "rpps_unknown", "rpps_invalid", "candidate", "to_register", "invalid", "unchecked")
	channels = set("ordre", "ars", "rpps_plus")
	date     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	code     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	insee    = regexp.MustCompile(`^(\d{5}|2[AB]\d{3})$`)
	country  = regexp.MustCompile(`^99\d{3}$`)
	rpps     = regexp.MustCompile(`^1\d{10}$`)
)

func set(s ...string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

// Check returns the problems of doc against the shape of mode; none when
// the shape holds.
func Check(mode string, doc []byte) []string {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return []string{fmt.Sprintf("not one JSON document: %v", err)}
	}
	c := &checker{}
	switch mode {
	case ModeCheck:
		c.doc(v)
	case ModeCommune:
		c.commune(v)
	case ModeRPPS:
		c.rpps(v)
	default:
		return []string{fmt.Sprintf("unknown mode %q", mode)}
	}
	return c.problems
}

type checker struct{ problems []string }

func (c *checker) bad(where, format string, args ...any) {
	c.problems = append(c.problems, where+": "+fmt.Sprintf(format, args...))
}

func str(v any) (string, bool) { s, ok := v.(string); return s, ok }

func (c *checker) row(where string, r map[string]any) {
	for _, k := range []string{"sheet", "row", "status", "rpps", "last_name", "first_name", "profession_code", "channel",
		"birth_insee", "finess", "contract_start", "contract_end", "issues", "candidates"} {
		if _, ok := r[k]; !ok {
			c.bad(where, "missing key %q (absent values are null)", k)
		}
	}
	if n, ok := r["row"].(float64); !ok || n < 1 || n != float64(int(n)) {
		c.bad(where, "row must be the 1-based row number a person sees")
	}
	status, _ := str(r["status"])
	if !statuses[status] {
		c.bad(where, "status %v is not one of the contract's", r["status"])
	}
	if v := r["rpps"]; v != nil {
		if s, ok := str(v); !ok || !rpps.MatchString(s) {
			c.bad(where, "rpps %v is not a normalised 11-digit RPPS or null", v)
		}
	}
	if v := r["channel"]; v != nil {
		if s, _ := str(v); !channels[s] {
			c.bad(where, "channel %v is not ordre, ars, rpps_plus or null", v)
		}
	}
	if v := r["birth_insee"]; v != nil {
		if s, ok := str(v); !ok || !(insee.MatchString(s) || country.MatchString(s)) {
			c.bad(where, "birth_insee %v is not an INSEE code", v)
		}
	}
	for _, k := range []string{"contract_start", "contract_end"} {
		if v := r[k]; v != nil {
			if s, ok := str(v); !ok || !date.MatchString(s) {
				c.bad(where, "%s %v is not YYYY-MM-DD", k, v)
			}
		}
	}
	issues, ok := r["issues"].([]any)
	if !ok {
		c.bad(where, "issues must be a list")
	}
	for _, i := range issues {
		m, ok := i.(map[string]any)
		cd, _ := str(m["code"])
		msg, _ := str(m["message"])
		if !ok || !code.MatchString(cd) || msg == "" {
			c.bad(where, "issue %v needs a snake_case code and a message", i)
		}
	}
	cands, ok := r["candidates"].([]any)
	if !ok {
		c.bad(where, "candidates must be a list")
	}
	for _, x := range cands {
		m, ok := x.(map[string]any)
		_, hasRPPS := m["rpps"]
		_, hasScore := m["score"]
		if !ok || !hasRPPS || !hasScore {
			c.bad(where, "candidate %v needs rpps and score", x)
		}
	}
	if status == "candidate" && len(cands) == 0 {
		c.bad(where, "status candidate with no candidates")
	}
	if s, _ := str(r["rpps"]); status == "matched" && s == "" {
		c.bad(where, "status matched with no rpps")
	}
}

func (c *checker) doc(v any) {
	d, ok := v.(map[string]any)
	files, okF := d["files"].([]any)
	summary, okS := d["summary"].(map[string]any)
	if !ok || !okF || !okS {
		c.bad("document", "must be an object with files (list) and summary (object)")
		return
	}
	total := 0
	for fi, x := range files {
		f, _ := x.(map[string]any)
		where := fmt.Sprintf("files[%d] %v", fi, f["path"])
		_, hasPath := f["path"]
		errV, hasErr := f["error"]
		rows, okR := f["rows"].([]any)
		if !hasPath || !hasErr || !okR {
			c.bad(where, "needs path, error and rows")
			continue
		}
		if errV != nil {
			e, ok := errV.(map[string]any)
			cd, _ := str(e["code"])
			msg, _ := str(e["message"])
			if !ok || cd == "" || msg == "" {
				c.bad(where, "error must be null or {code, message}")
			}
			if len(rows) > 0 {
				c.bad(where, "a file with an error has no rows")
			}
		}
		for ri, r := range rows {
			m, ok := r.(map[string]any)
			if !ok {
				c.bad(fmt.Sprintf("%s rows[%d]", where, ri), "a row must be an object")
				continue
			}
			c.row(fmt.Sprintf("%s rows[%d]", where, ri), m)
		}
		total += len(rows)
	}
	if n, ok := summary["rows"].(float64); !ok || int(n) != total {
		c.bad("summary", "rows %v but %d rows listed", summary["rows"], total)
	}
}

func (c *checker) commune(v any) {
	d, ok := v.(map[string]any)
	if !ok {
		c.bad("commune", "must be an object")
		return
	}
	for _, k := range []string{"input", "status", "code", "name", "candidates"} {
		if _, ok := d[k]; !ok {
			c.bad("commune", "missing key %q", k)
		}
	}
	status, _ := str(d["status"])
	if !set("ok", "ambiguous", "postal_code", "unknown")[status] {
		c.bad("commune", "status %v", d["status"])
	}
	if s, _ := str(d["code"]); status == "ok" && s == "" {
		c.bad("commune", "status ok needs a code")
	}
}

func (c *checker) rpps(v any) {
	list, ok := v.([]any)
	if !ok {
		c.bad("rpps", "must be a list, one entry per input")
		return
	}
	for i, x := range list {
		e, _ := x.(map[string]any)
		where := fmt.Sprintf("rpps[%d]", i)
		for _, k := range []string{"input", "valid", "rpps", "kind", "issues", "directory"} {
			if _, ok := e[k]; !ok {
				c.bad(where, "missing key %q", k)
			}
		}
		if k := e["kind"]; k != nil {
			if s, _ := str(k); !set("rpps", "psc", "adeli")[s] {
				c.bad(where, "kind %v", k)
			}
		}
	}
}
