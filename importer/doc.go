// Package importer reads agency files (.xlsx, .csv, .txt) into
// rppsync.Records: the first stage of the flow read → match → queue.
//
// It owns: recognising a file's format and why it cannot be read
// (*rppsync.FileError with a stable code: file_not_found, file_unreadable,
// file_not_regular, file_empty, file_corrupt, file_encrypted,
// file_too_large, file_unsupported, no_header); finding the heading row
// (within the first 20 rows, under title lines, across two-row headings
// with merged cells); mapping French headings to canonical fields
// (MapHeader, per-agency Profile); decoding text encodings and separators
// (SniffCSV); reading dates (ParseDate for text, SerialDate for spreadsheet
// serials in the 1900 or 1904 date system); and normalising values while
// keeping the original text apart (Record.Original).
//
// A file is read once, into memory (at most Options.MaxFileSize bytes), and
// only when it is a regular file: a FIFO or a device is refused before any
// read. File.SHA256 is the hash of those very bytes, set also when the file
// then proves unreadable.
//
// Workbooks are Open Packaging Conventions packages: the workbook, its
// sheets and its shared strings are found through the relationships parts,
// in the Transitional or the Strict Open XML namespaces, with part names
// compared without case and "\" read as "/". Each worksheet part is
// streamed through a small XML scanner (sheetxml.go) that gives the raw
// cell values excelize's row iterator gives, about twenty times faster.
// Where the scanner does not read a part (a doctype, a declared encoding
// other than UTF-8, a construct it does not know), the sheet is read on
// through excelize from the row after the last one the scanner gave, after
// encoding/xml has read the part whole as excelize would (excelize's row
// iterator stops silently at an XML error): the values are the same,
// File.SlowPath says so, and a part excelize's parser refuses is a damaged
// file, never rows cut short. Merged ranges are read by streaming the sheet
// part too, never by loading a whole sheet.
//
// Bounded work on hostile files: the unzipped size of a workbook
// (DefaultMaxUnzipSize) bounds both what the zip declares and what all the
// reads of its parts decompress together (a part named by many sheets is
// counted each time it is read); each part read whole is bounded by
// DefaultMaxUnzipXMLSize; a cell keeps at most MaxCellRunes characters
// (longer: cut with CutMarker, a value_too_long row issue); the mapped
// cell text kept per workbook is bounded by MaxUnzipSize too; cells past
// the heading row's last column (and a margin) are not kept; the reading
// loops, the scanner's included, stop on a cancelled ctx.
//
// A CSV without byte order mark is UTF-8 when it mostly is: a few bytes
// that are not UTF-8 are replaced by U+FFFD and their lines get an
// encoding_invalid row issue, the others are read intact; otherwise it is
// Windows-1252.
//
// Names are read as HR meant them (ReadNameCell): a civility or title typed
// in a name cell (Mme, M., Dr, Pr, Pharmacien…) becomes Record.Civility, not
// a surname, and "DUPONT épouse MARTIN" / "MARTIN née DUPONT" give the birth
// name (Record.LastName) and the usage name (Record.UsageName) apart. A row
// is tied to its structure by the FINESS column, or by a FINESS typed in
// the establishment column (FINESSInText); a row left without one carries a
// finess_missing issue, and a file with no column naming the structure a
// structure_column_missing warning (File.Warnings). Missions already ended
// or started on Options.Now are flagged (contract_ended, contract_started),
// and the rows of a hidden sheet that no profile names are marked
// (Record.HiddenSheet, issue sheet_hidden): reported, never queued.
//
// Social security numbers (NIR) are recognised by heading or by value and
// never kept: their columns are named in File.NIRColumns, their values are
// dropped. Values of unmapped columns are not read either.
//
// Two-digit years: yy is 20yy unless yy exceeds the current year's two
// digits plus 10, then 19yy (in 2026: "36" → 2036, "37" → 1937).
//
// Profile files are JSON: {"agency": "...", "columns": {"Heading": "field"
// or "ignore"}, "header_row": N, "sheets": ["..."]}; see Profile and
// fixtures/agencies/profile.example.json.
//
// It must not: validate identifiers against the directory, resolve birth
// places or professions (the matcher does), touch a database or the network,
// or log personal data. It needs no logger.
package importer
