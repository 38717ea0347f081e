// Package fetch downloads the daily national directory extracts
// (PS_LibreAcces and Porteurs_CPS_CPF) into a destination folder, with
// conditional requests, and hands over only files it has verified.
//
// Fetcher.Fetch asks the extract's URL with the validators of the previous
// download (If-None-Match with its ETag, If-Modified-Since with its
// Last-Modified), kept in a small state file per extract in the destination
// folder. A 304 answer means "not modified". A 200 answer is written to a
// *.part file in the destination, then checked: the length announced
// (Content-Length) was received, the file is a zip whose every member reads
// to its end with a correct CRC, the expected member is there
// (PS_LibreAcces_Personne_activite_*.txt or Porteurs_CPS_CPF_*.txt, found
// the way directory.Open and directory.OpenCards find it) and has at least
// a plausible number of lines. Only then is it renamed into place, as
// <extract>_<YYYYMMDDHHMM>.zip after its member's date, and the state
// written (atomically); the previous download is removed. Any failure
// removes the *.part file and leaves the previous download and state as
// they were, with an *Error whose Code is stable and whose message is
// French.
//
// The official URLs are the Annuaire Santé extraction service's
// (DefaultURLs): they are the ones the public extraction page links to and
// that public ingesters use (for example the PHP, Node and Python loaders
// of RPPS data found on GitHub call
// https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/PS_LibreAcces
// and …/Porteurs_CPS_CPF). Several of those clients had to trust the IGC
// Santé certificate chain explicitly: give Config.Client a TLS
// configuration with that root when the system trust store lacks it.
//
// The package owns the download and the verification. It must not parse
// extract lines (package directory does), load them into PostgreSQL
// (package store, through `rppsync directory load`), or schedule itself
// (the caller runs it as a job).
package fetch
