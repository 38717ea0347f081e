// Package directory reads the national directory extracts (Annuaire Santé):
// PS_LibreAcces_Personne_activite (one line per professional × practice
// situation) and Porteurs_CPS_CPF (CPS/CPF cards), from the published zip or
// the bare text file, and holds the in-memory filtered directory that
// `rppsync check --directory` matches against.
//
// It owns the extract formats: columns found by header name (current
// 56-column header, legacy 52-column one, appended columns accepted), line
// validation (field count, RPPS check digit, ADELI lines, empty names),
// encoding repair (BOM, Windows-1252 lines) and the reading statistics a
// caller shows as progress and as a load report.
//
// It must not talk to PostgreSQL or the network, and must not log: the
// database loader (package store) consumes ActivityReader and CardReader
// through their Next/Line/Err methods, and callers report Stats themselves.
// It never holds a whole extract in memory.
package directory
