// Package importer reads agency files (.xlsx, .csv, .txt) into
// rppsync.Records: the first stage of the flow read → match → queue.
//
// It owns: recognising a file's format and why it cannot be read
// (*rppsync.FileError with a stable code: file_not_found, file_unreadable,
// file_empty, file_corrupt, file_encrypted, file_too_large,
// file_unsupported, no_header); finding the heading row (within the first
// 20 rows, under title lines, across two-row headings with merged cells);
// mapping French headings to canonical fields (MapHeader, per-agency
// Profile); decoding text encodings and separators (SniffCSV); reading
// dates (ParseDate for text, SerialDate for spreadsheet serials in the
// 1900 or 1904 date system); and normalising values while keeping the
// original text apart (Record.Original).
//
// Workbooks are read by streaming each worksheet part through a small XML
// scanner (sheetxml.go) that gives the raw cell values excelize's row
// iterator gives, about twenty times faster; the sheets, their visibility
// and the date system come from xl/workbook.xml. Unzip limits are
// documented (DefaultMaxUnzipSize, DefaultMaxUnzipXMLSize); merged ranges
// are read by streaming the sheet part too, never by loading a whole sheet.
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
