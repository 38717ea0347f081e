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
