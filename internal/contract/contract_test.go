package contract_test

import (
	"strings"
	"testing"

	"github.com/rppsync/rppsync/internal/contract"
)

const goodRow = `{"sheet": "Contrats", "row": 5, "status": "matched", "rpps": "10100271385", "last_name": "LEGER",
 "first_name": "Romain", "profession_code": "10", "channel": "ordre", "birth_insee": "25462", "finess": "250000700",
 "contract_start": "2026-12-01", "contract_end": "2026-12-21",
 "issues": [{"field": "rpps", "code": "rpps_checksum", "message": "…"}], "candidates": [{"rpps": "10100271385", "score": 0.97}]}`

func TestCheck(t *testing.T) {
	tests := []struct {
		name, mode, doc, want string // want: a fragment of the first problem, "" for none
	}{
		{"contract example", "check", `{"files": [{"path": "agence.xlsx", "error": null, "rows": [` + goodRow + `]}], "summary": {"rows": 1, "matched": 1}}`, ""},
		{"file error", "check", `{"files": [{"path": "a", "error": {"code": "x", "message": "m"}, "rows": []}], "summary": {"rows": 0}}`, ""},
		{"not JSON", "check", `{`, "not one JSON document"},
		{"no summary", "check", `{"files": []}`, "must be an object with files"},
		{"summary count", "check", `{"files": [{"path": "a", "error": null, "rows": [` + goodRow + `]}], "summary": {"rows": 2}}`, "rows 2 but 1"},
		{"missing key", "check", `{"files": [{"path": "a", "error": null, "rows": [{"row": 1, "status": "invalid"}]}], "summary": {"rows": 1}}`, `missing key "sheet"`},
		{"bad status", "check", `{"files": [{"path": "a", "error": null, "rows": [` + strings.Replace(goodRow, `"matched"`, `"ok"`, 1) + `]}], "summary": {"rows": 1}}`, "status ok"},
		{"bad rpps", "check", `{"files": [{"path": "a", "error": null, "rows": [` + strings.Replace(goodRow, `"rpps": "10100271385", "last`, `"rpps": "810100271385", "last`, 1) + `]}], "summary": {"rows": 1}}`, "not a normalised"},
		{"bad date", "check", `{"files": [{"path": "a", "error": null, "rows": [` + strings.Replace(goodRow, `"2026-12-01"`, `"01/12/2026"`, 1) + `]}], "summary": {"rows": 1}}`, "not YYYY-MM-DD"},
		{"null issues", "check", `{"files": [{"path": "a", "error": null, "rows": [` + strings.Replace(goodRow, `"issues": [{"field": "rpps", "code": "rpps_checksum", "message": "…"}]`, `"issues": null`, 1) + `]}], "summary": {"rows": 1}}`, "issues must be a list"},
		{"rows on an error file", "check", `{"files": [{"path": "a", "error": {"code": "x", "message": "m"}, "rows": [` + goodRow + `]}], "summary": {"rows": 1}}`, "has no rows"},
		{"commune ok", "commune", `{"input": "St Etienne", "status": "ok", "code": "42218", "name": "Saint-Étienne", "candidates": []}`, ""},
		{"commune ok without code", "commune", `{"input": "x", "status": "ok", "code": null, "name": null, "candidates": []}`, "needs a code"},
		{"rpps", "rpps", `[{"input": "8 10100271385", "valid": true, "rpps": "10100271385", "kind": "psc", "issues": [], "directory": null}]`, ""},
		{"rpps kind", "rpps", `[{"input": "x", "valid": false, "rpps": null, "kind": "nir", "issues": [], "directory": null}]`, "kind nir"},
		{"rpps not a list", "rpps", `{}`, "must be a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := contract.Check(tt.mode, []byte(tt.doc))
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("problems: %q", got)
			case tt.want != "" && (len(got) == 0 || !strings.Contains(got[0], tt.want)):
				t.Errorf("problems %q, want one with %q", got, tt.want)
			}
		})
	}
}
