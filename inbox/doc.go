// Package inbox is the drop folder HR teams and agency uploads put their
// files into: it finds the files ready to import, refuses the ones that must
// not be read, and moves each processed file with its reports into done/ or
// rejected/.
//
// Layout of the folder (Config.Root):
//
//	planning.xlsx                 a file at the top level: no agency
//	Interim Plus/planning.xlsx    a subfolder names the agency ("Interim Plus")
//	done/2026-12-04/Interim Plus/planning.xlsx (+ its reports)
//	rejected/2026-12-04/...
//	processing/                   short-lived claims of Finish (see below)
//
// Scan walks the folder (done/, rejected/ and processing/ are never
// scanned) and returns the files that are ready, with their SHA-256 computed
// from the bytes read, and the refused entries, each with a stable code and a
// French reason. Temporary names (~$…, *.part, *.tmp, dot files) are ignored:
// they are how editors and uploads write a file before its final rename.
//
// A file is ready when this Inbox has seen the same size and modification
// time on scans at least StableFor apart (by the injected clock): a file
// still being written changes size or mtime and starts its wait again. The
// rule does not trust the mtime alone, because copies that preserve it
// (cp -p, rsync -t, unzip) give a half-written file an old mtime. A process
// that starts sees nothing ready on its first scan.
//
// Finish claims a file by renaming it into a fresh processing/<token>/
// folder: rename is atomic, so when several processes (replicas) finish the
// same file exactly one claim succeeds and the others get
// ErrAlreadyFinished. The claimed file's SHA-256 is checked against the
// scanned one (ErrChanged, and the file is put back, when it differs), then
// the file and its reports are hard-linked under names no other file holds
// (suffix " (2)", " (3)"… on collision: nothing is ever overwritten) and the
// claim is removed. All of it stays on one filesystem. A failed move puts
// the file back in the inbox. A claim folder also holds a note of the
// file's path: Recover, run at start-up or before each pass, puts back the
// files of claims a killed process left behind, so nothing dropped is lost.
//
// The package owns the folder's layout and these moves. It must not parse
// the files (that is importer), know about River or PostgreSQL (the caller
// makes each scanned file a job unique by its SHA-256), or log anything but
// paths, agencies, codes and hashes.
package inbox
