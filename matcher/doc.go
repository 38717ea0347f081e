// Package matcher decides what each agency row is: it validates
// identifiers (RPPS, Pro Santé Connect form, ADELI, FINESS, SIRET), maps
// free-text professions to their code and registration channel, compares
// names, and checks rows against the national directory to give each one
// exactly one status of CONTRACT.md (matched, identity_mismatch,
// rpps_unknown, rpps_invalid, candidate, to_register, invalid, unchecked).
//
// It owns pure logic only. It must not read files, open a database or the
// network, or log: the directory and the birth-place resolver come in as
// interfaces (Directory, PlaceResolver), and Check asks the directory in
// batches (at most one Professionals and one ByNameKeys call per Check,
// whatever the number of rows).
// It never shows one person's name in another row's verdict: an RPPS that
// belongs to someone else is reported as "un autre professionnel" with
// their profession only.
//
// # Statuses and issues
//
// A row is invalid when it has no last name (birth or usage) or no first
// name (name_missing), when a contract date is unreadable (date_invalid on
// contract_start or contract_end) or when the contract ends before it
// starts (contract_dates_reversed); see Invalidates. Any other record issue
// (an unreadable birth date, an invalid FINESS…) is carried and flagged but
// does not make the row invalid. Invalid rows are not looked up.
//
// A valid RPPS found in the directory is matched when both names reach
// SameThreshold (0.85) after folding — typos, usage names, initials and
// swapped columns included; a spelling difference adds name_differs, a
// profession that differs from the directory's adds profession_differs,
// and an unknown label takes the directory's profession without an issue.
// Otherwise the status is identity_mismatch. Rows whose identifier is
// invalid, unknown or someone else's also get name candidates, as a help
// to fix the data; the status stays the one of the identifier.
//
// Professions to register on Portail RPPS+ (aide-soignant, ASH,
// auxiliaire de puériculture, brancardier, ambulancier, secrétaire
// médicale, préparateur en pharmacie) have profession_code null and
// channel rpps_plus: DOMAIN.md says their codes 35–39 moved to role codes
// 313–317 without saying which is which, so none is guessed. Psychologue
// uses code 93 (TRE_G15; DOMAIN.md lists the profession without its code)
// and ostéopathe has no code (channel ars).
//
// # Candidates
//
// Rows without RPPS are searched under NameKeys of their birth name, usage
// name, each word of a compound name and their first name (for swapped
// columns). NameKeys holds the name without spaces and its one-deletion
// neighbourhood, so one typo still meets the right name.
// A directory person is a candidate when the last-name similarity is at
// least 0.82 and the first-name similarity at least 0.85, and
//
//	score = 0.80 × name + 0.12 × profession + 0.08 × FINESS
//	name  = 0.6 × last + 0.4 × first (×0.97 when first and last are swapped)
//
// where profession is 1 for the same profession, 0.5 when unknown on
// either side, 0 for another one; FINESS is 1 when the directory shows an
// activity at the row's FINESS (site or legal entity). Last names are
// compared by the mean of Jaro-Winkler (go-edlib) and an optimal string
// alignment similarity, first names by Jaro-Winkler, after exact,
// compound, initial and "first of several first names" rules. Candidates
// score at least MinScore (default 0.85), best first, at most
// MaxCandidates (default 5). A candidate is never assigned automatically.
//
// The blocking keys are loose on purpose (one typo anywhere), so a common
// last name and its neighbours hold thousands of directory people. The
// rows' NameSearch carries the keys and the gate above: Keep(last, first)
// says whether any row searching under the name's keys could score a person
// so named at MinScore with the best profession and FINESS evidence.
// Directories return, and the in-memory one keeps, only the people it
// accepts; since the gate is the scoring's own first test, the verdicts
// are those of a directory returning everyone under the keys
// (TestNameSearchGateIsExact), for a fraction of the reading: on the
// full-size synthetic extract, `check --directory` of a 10k-row file keeps
// 64,043 people (most of them exact homonyms of its rows, the synthetic
// first names being few) and gives the same 10,000 verdicts as before the
// gate, with a third of the memory.
//
// # Measured precision and recall
//
// TestPrecisionRecall builds a labelled synthetic set deterministically
// (seed 20261201): 3,000 invented directory people (syllable-built last
// names with many one-letter neighbours, hyphenated and particle names,
// 10 % with an exact homonym in another profession and region) and 2,600
// agency rows without RPPS — 2,000 derived from directory people (exact,
// no accents, lower case, a typo in the last or first name, swapped
// columns, usage name, initials, several first names, profession
// abbreviations; 40 % at a FINESS where the person works) and 600 people
// absent from the directory (never an exact name of a directory person:
// those are undecidable without a birth date). For the first candidate it
// measured precision 0.9955 (1,998 right, 9 wrong, all wrong ones being
// absent people with a one-letter neighbour of the same first name and
// profession) and recall 0.9990. The test fails below precision 0.99 or
// recall 0.95; other seeds gave precision 0.9945–0.9970 and recall
// 0.9965–0.9980.
package matcher
