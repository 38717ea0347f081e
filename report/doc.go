// Package report writes the results of `rppsync check` (a []rppsync.FileResult)
// in the four formats of CONTRACT.md: a terminal table, the JSON document other
// programs rely on, a CSV file for French Excel and an XLSX workbook.
//
// It owns the French wording shown to HR people for statuses and channels
// (StatusLabel, ChannelLabel), the per-file and per-status counts (Summary) and
// the neutralisation of spreadsheet formula injection (Neutralise), and the
// exports of the validation queues (WriteQueue: table, JSON, CSV for French
// Excel, XLSX), so that every file people open says the same things the same
// way. A queue workbook opens on a "Résumé" sheet (what it holds, when it was
// exported, items per kind and state), then has one sheet per kind of item
// present, with the columns a person needs to act on that kind and real date
// cells; an empty queue gives the "Résumé" sheet alone, saying there is
// nothing to do.
//
// It is pure: it writes to an io.Writer it is given and nothing else. It must
// not read input files, open a database or the network, decide verdicts, or
// log. It never adds personal data that is not already in the results.
package report
