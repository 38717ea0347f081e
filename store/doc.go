// Package store owns every access to PostgreSQL: the connection pool, the
// embedded numbered migrations, and the national directory (Annuaire Santé
// extracts) held in the database — loading it in bulk, swapping it in
// atomically, recording what changed from one extract to the next, and the
// batched lookups the matcher and the MIE checks run against it.
//
// Schema ownership: the shape of every table (columns, constraints) is
// written once, in migrations/NNNN_name.sql, applied in order by
// (*DB).Migrate. The directory tables (directory_line, directory_card) are
// created empty by a migration and replaced wholesale by each load, which
// holds the kind's advisory lock throughout: a first transaction creates a
// staging table LIKE the live one, streams the extract into it with COPY,
// analyzes it and commits; the indexes this package declares
// (activitiesSpec, cardsSpec) are then built side by side, each on a
// connection of its own, while a second transaction records the extract
// and the changes; once the indexes are built it drops the live table,
// renames the staging one and commits. Readers see the previous directory
// until that commit. A crash before the first commit leaves nothing; one
// between the commits leaves the previous directory and a staging table no
// reader uses, which the next load drops first. Nothing may therefore hold
// a foreign key to a directory table; other tables refer to people by RPPS
// and to structures by FINESS.
// After the commit the load vacuums directory_line, so that the name
// lookups answer by index-only scans. The swap transaction also writes the
// list of the extract's distinct folded last names (directory_name_list,
// migration 0004), one bytea of a few megabytes, and drops the lists of
// earlier extracts.
// Directory.ByNameKeys reads a name search in one read-only REPEATABLE
// READ transaction that locks directory_line before its snapshot, so that
// a load meanwhile neither mixes two extracts into one answer nor
// deadlocks with it: the list of names (read once per Directory and
// extract, each name's blocking keys tested against the search's by
// namekey.Filter), then the first names of the names kept, one row per
// name, then the people bearing the name pairs the search keeps.
//
// Imports and queues (migrations/0002_import.sql): import_file records each
// agency file (content hash, agency, who dropped it, when); import_row each
// row (original and normalised values, verdict, issues); contract each
// placement, unique per agency and queue.Contract (stored field by field,
// with its Key); item the structures' work items built by package queue,
// unique per agency and queue.ItemKey, with item_event their history.
// ImportFile, ResolveCandidate, Reconcile and Purge persist what package
// queue decided (queue.PlanImport, queue.Resolve, queue.Reconcile): each
// runs in a Tx the caller holds (DB.Begin, DB.InTx), so the caller can
// commit writes of its own with them, or in a transaction of its own
// (the DB methods of the same names); an advisory lock serialises them so
// none decides on a stale item. Purge blanks personal data and keeps
// identifiers, states and history.
//
// The package must not parse files, decide verdicts or format reports: it
// receives directory lines from the directory package through ActivitySource
// and CardSource, computes only the blocking keys the matcher package defines
// (namekey.Fold, namekey.Keys) so that the database and the in-memory
// directory find the same candidates, and returns domain types of package
// rppsync. It logs identifiers and counts, never names, birth data or
// contact data.
package store
