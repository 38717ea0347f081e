// Package namekey folds names and makes their blocking keys: the one place
// that says when two names are written alike (Fold: accents, case, hyphens,
// apostrophes and spacing set aside) and under which keys a name is looked
// for (Keys: the folded name without spaces, and its one-letter-deletion
// neighbourhood, so that one typo anywhere still meets).
//
// Both directories index names by these keys and the matcher searches
// them, so that `check --directory` (the extract in memory) and `check`
// against the database find the same candidates. Readers of the full
// extract test millions of names without building their keys: Hasher hashes
// a name's keys from the hashes of its prefixes and suffixes, Filter tests
// those hashes against the keys the rows search (a bit array, then a
// table, internal/hashset), and Scanner runs that test over every name of
// a directory.
//
// It is pure and small on purpose: importer, queue, matcher/insee and the
// directories import it to fold a string or test a key, without importing
// the matcher. It must not read files, log, or know about verdicts.
package namekey
