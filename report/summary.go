package report

import "github.com/rppsync/rppsync"

// Summary counts the results of a check: rows, rows per status (all eight,
// zero included), files and files that could not be read. Its JSON form is
// the "summary" object of CONTRACT.md, keys in this order:
// {"rows", "matched", "identity_mismatch", "rpps_unknown", "rpps_invalid",
// "candidate", "to_register", "invalid", "unchecked", "files", "file_errors"}.
type Summary struct {
	Rows             int `json:"rows"`
	Matched          int `json:"matched"`
	IdentityMismatch int `json:"identity_mismatch"`
	RPPSUnknown      int `json:"rpps_unknown"`
	RPPSInvalid      int `json:"rpps_invalid"`
	Candidate        int `json:"candidate"`
	ToRegister       int `json:"to_register"`
	Invalid          int `json:"invalid"`
	Unchecked        int `json:"unchecked"`
	Files            int `json:"files"`
	FileErrors       int `json:"file_errors"` // files that could not be read at all
}

// Summarise counts the rows of files per status. Rows of a file that carries
// an error are not counted (such a file has no rows, CONTRACT.md). A row whose
// status is not one of rppsync.Statuses counts in Rows only.
func Summarise(files []rppsync.FileResult) Summary {
	s := Summary{Files: len(files)}
	for _, f := range files {
		if f.Error != nil {
			s.FileErrors++
		}
		for _, r := range rowsOf(f) {
			s.Rows++
			if p := s.counter(r.Status); p != nil {
				*p++
			}
		}
	}
	return s
}

// Count returns the number of rows with status st (0 for an unknown status).
func (s Summary) Count(st rppsync.Status) int {
	if p := s.counter(st); p != nil {
		return *p
	}
	return 0
}

// counter returns the field that counts st, or nil for an unknown status.
func (s *Summary) counter(st rppsync.Status) *int {
	switch st {
	case rppsync.StatusMatched:
		return &s.Matched
	case rppsync.StatusIdentityMismatch:
		return &s.IdentityMismatch
	case rppsync.StatusRPPSUnknown:
		return &s.RPPSUnknown
	case rppsync.StatusRPPSInvalid:
		return &s.RPPSInvalid
	case rppsync.StatusCandidate:
		return &s.Candidate
	case rppsync.StatusToRegister:
		return &s.ToRegister
	case rppsync.StatusInvalid:
		return &s.Invalid
	case rppsync.StatusUnchecked:
		return &s.Unchecked
	}
	return nil
}
