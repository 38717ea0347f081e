// Package insee resolves a birth place as people type it ("St Etienne",
// "Paris 15e", "Saint-Denis (974)", "75015", "Casablanca (Maroc)") to the
// five-character INSEE code a registration needs (DOMAIN.md, "Birth place").
//
// It owns the reference data it embeds (data/, see data/PROVENANCE.md):
// the INSEE Code Officiel Géographique 2026 (communes, arrondissements,
// delegated and associated communes, and every commune event since 1943),
// the overseas collectivities, the 2021 country file and La Poste's postal
// codes. From them Build makes an immutable, concurrency-safe Index; the
// one Default returns is decoded from a snapshot of Build's index, also
// embedded (data/index.snapshot, written by the tests from the same files,
// which check on every run that it is still their index).
//
// What it decides:
//   - A birth place is the commune as it was on the birth date: Courcouronnes
//     born 1985 is 91182, born 2020 it is 91228 Évry-Courcouronnes (with a
//     note saying so); Ajaccio born 1970 is 20004 (Corsica's code before
//     1976), 2A004 after; a commune of Seine-et-Oise before 1968 keeps its
//     78xxx code; Mamoudzou born 1990 is 98511 (Mayotte's 985xx codes
//     before 31 March 2011, which the event file lacks: Build adds them).
//     Without a birth date, today's communes decide; an old name with no
//     commune of that name today resolves to the commune it was.
//   - Result.Code is that code at birth (civil status carries it; it is
//     also Result.CodeAtBirth); Result.TodayCode and TodayName are the
//     commune today, which forms that pick a commune from today's list
//     (RPPS+) need. See BIRTHCODES.md.
//   - Homonyms with nothing to decide (no département in the text, in
//     brackets, after the name or in the dept argument) are StatusAmbiguous
//     with every candidate, never a guess.
//   - A postal code is StatusPostalCode with the communes it serves. A
//     bare code that is both an INSEE code and the postal code of other
//     communes ("13001": Aix-en-Provence, or Marseille 1er) is
//     StatusAmbiguous with both readings (Candidate.Reading), unless a
//     name typed beside it ("13001 Marseille") or the département keeps
//     one; then it is ok, with a note.
//   - Names are compared without case, accents, hyphens or apostrophes,
//     with St/Ste spelt out and the leading article dropped, also when its
//     apostrophe was left out ("Lhay les roses" is L'Haÿ-les-Roses).
//   - A birth abroad is the country's 99xxx code, by any name of the COG
//     country file (usual, official, former) or a common one ("RDC",
//     "Corée du Sud", "Angleterre"); a whole name ("République
//     démocratique du Congo") wins over the country its last word names.
//     A former country split since (Corée, Tchécoslovaquie) is itself for
//     a birth before the split, and its successors are the candidates
//     after; one merged since (RDA) has today's country as TodayCode.
//   - Every assumption made to reach a code is a note (Result.Notes,
//     Resolution.Notes), which ResolveBirthPlace also puts in a
//     birth_place_assumed issue: a person checks it before the code is used.
//
// It must not do I/O beyond reading its embedded files (Build reads an
// fs.FS it is given), log, or talk to a database or the network. It does
// not import package matcher (the matcher imports it), so it keeps its own
// folding, which agrees with namekey.Fold on letters, digits and separators.
//
// Speed, measured with `go test -run XXX -bench . -benchtime 3s
// ./matcher/insee/` on the development machine (2 cores, AMD EPYC, Go
// 1.26), which other builds were sharing (load average 4 to 16), so the
// figures vary with the load:
//
//	BenchmarkResolve      2.2–3.7 µs/op, 13 allocs  (270k–450k lookups/s on a mix of inputs)
//	BenchmarkBuildIndex   127–143 ms/op at load ≤ 4; 230–380 ms/op at load 5–7
//
//	BenchmarkDecodeSnapshot  17 ms/op, 312 allocs (what Default costs once per process;
//	                         BenchmarkBuildIndex was 84 ms on the same run, 2026-11-26)
//
// Build decompresses the six files concurrently and reads the postal
// codes alongside the COG files.
package insee
