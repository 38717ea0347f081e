#!/usr/bin/env bash
# bench.sh: the scripted end-to-end benchmarks of issue 3, on full-size
# synthetic data (2.23 M directory lines, agency files of 10k and 100k rows).
#
#   bash scripts/bench.sh [DIR]     (make bench runs it; DIR defaults to /tmp/rppsync-bench)
#   GENBENCH_FLAGS="-names dense" bash scripts/bench.sh /tmp/rppsync-bench-dense
#                                   (every run on the stress case: many more homonyms)
#
# Each run is timed with /usr/bin/time (wall seconds, peak RSS), side by side
# with a baseline on the same files, and the ratios are printed:
#   1. directory load (COPY, indexes, atomic swap)  vs  psql \copy of the raw file into an unindexed table
#   2. check --directory of the 10k-row file         vs  an awk hash join on RPPS, and Miller's `mlr join`
#   3. check of the 10k-row XLSX against the database vs  a bare streaming read of the same XLSX
#   4. check --directory of the 10k-row file on the dense extract (DIR-dense,
#      generated with -names dense: common names ten times denser) vs awk
#      (BENCH_DENSE=0 skips it)
#   5. the name search (issue 16): check --directory of agency-search-10k.csv,
#      whose rows without RPPS are all in the directory, a third with a
#      surname typo, scored by fixtures/cmd/searchscore against its labels,
#      on both extracts
# The figures and the machine go to DIR/bench-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH

DIR=${1:-/tmp/rppsync-bench}
mkdir -p "$DIR"
EXTRACT=$DIR/PS_LibreAcces_Personne_activite_202611200800.txt
AG10=$DIR/agency-10k.csv
AG10X=$DIR/agency-10k.xlsx
OUT=$DIR/bench-results.md

say() { printf '%s\n' "$*" >&2; }

# generate DIR FLAGS...: the full-size synthetic data, once (again when it
# predates the search file and its labels).
generate() {
  local dir=$1; shift
  if [ ! -f "$dir/.generated" ] || [ ! -f "$dir/agency-search-10k.labels.tsv" ]; then
    say "generating the full-size synthetic data in $dir (once)"
    mkdir -p "$dir"
    go run ./fixtures/cmd/genbench -out "$dir" "$@"
    touch "$dir/.generated"
  fi
}
# shellcheck disable=SC2086 # GENBENCH_FLAGS is a list of flags
generate "$DIR" ${GENBENCH_FLAGS:-}
DENSE=${BENCH_DENSE:-1}
DDIR=$DIR-dense
if [ -n "${GENBENCH_FLAGS:-}" ]; then DENSE=0; fi # DIR is the stress case already
if [ "$DENSE" = 1 ]; then generate "$DDIR" -names dense; fi
if ! command -v mlr >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq miller >&2 || { apt-get update -qq >&2 && apt-get install -y -qq miller >&2; }; fi
fi

go build -o bin/rppsync ./cmd/rppsync
go build -o bin/xlsxscan ./scripts/xlsxscan
go build -o bin/searchscore ./fixtures/cmd/searchscore

BENCH_URL=$(DATABASE_URL="postgres://postgres@127.0.0.1:5432/rppsync_bench?sslmode=disable" bash scripts/db.sh)
export DATABASE_URL=$BENCH_URL
bin/rppsync migrate --log-level warn >/dev/null

# This machine's speed drifts from minute to minute (a shared host): each
# command runs BENCH_RUNS times (default 3), each time right after its
# baseline, and the figures are the median seconds and the highest peak RSS.
RUNS=${BENCH_RUNS:-3}
declare -A SECS RSS ALL

# once NAME CMD...: runs CMD once, adds its seconds to ALL[NAME] and keeps
# the highest peak RSS in RSS[NAME].
once() {
  local name=$1; shift
  local t; t=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null
  read -r s kb <"$t"; rm -f "$t"
  ALL[$name]="${ALL[$name]:-} $s"
  local mb=$((kb / 1024))
  if [ "$mb" -gt "${RSS[$name]:-0}" ]; then RSS[$name]=$mb; fi
}

# settle NAME: sets SECS[NAME] to the median of its runs and prints them.
settle() {
  local name=$1
  SECS[$name]=$(printf '%s\n' ${ALL[$name]} | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  say "$(printf '%-28s %8.2f s  %6d MB   (runs:%s)' "$name" "${SECS[$name]}" "${RSS[$name]}" "${ALL[$name]}")"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# leftside FILE: the agency file's RPPS column, normalised, as the left
# side of the joins (not timed).
leftside() {
  local c; c=$(head -n1 "$1" | tr -d '\r\357\273\277' | awk -F';' '{ for (i = 1; i <= NF; i++) if ($i ~ /RPPS/) print i }')
  tail -n +2 "$1" | awk -F';' -v c="$c" '{ gsub(/[ .\-]/, "", $c); if ($c != "") print "x|" $c }'
}

say "== 1. directory load vs psql \\copy ($RUNS runs each)"
cols=$(head -n1 "$EXTRACT" | tr -d '\r' | awk -F'|' '{ for (i = 1; i <= NF; i++) printf "%sc%d text", (i > 1 ? ", " : ""), i }')
# A nightly load replaces yesterday's extract and computes what changed:
# load the same extract once, untimed, so that each timed load replaces a
# directory like it (a database holding another data set would make every
# person a change).
bin/rppsync directory load --force --log-level warn "$EXTRACT" >/dev/null
for _ in $(seq "$RUNS"); do
  psql "$BENCH_URL" -qc "drop table if exists bench_raw" -c "create table bench_raw ($cols)" 2>/dev/null
  once "psql \\copy (raw, no index)" psql "$BENCH_URL" -qc "\\copy bench_raw from '$EXTRACT' with (format csv, delimiter '|', quote E'\\x01', header true)"
  psql "$BENCH_URL" -qc "drop table bench_raw"
  once "rppsync directory load" bin/rppsync directory load --force --log-level warn "$EXTRACT"
done
settle "psql \\copy (raw, no index)"
settle "rppsync directory load"

say "== 2. check --directory (10k rows) vs awk and mlr hash joins ($RUNS runs each)"
leftside "$AG10" >"$DIR/left.nidx"
for _ in $(seq "$RUNS"); do
  once "awk hash join on RPPS" awk -F'|' 'NR == FNR { want[$2] = 1; next } ($2 in want)' "$DIR/left.nidx" "$EXTRACT"
  once "rppsync check --directory" bin/rppsync check --directory "$EXTRACT" --format json --out /dev/null --log-level warn "$AG10"
done
# mlr takes about ten times as long: once is enough for a ratio of 8.
once "mlr join on RPPS" mlr --inidx --ifs '|' --onidx --ofs '|' join -j 2 -f "$DIR/left.nidx" "$EXTRACT"
settle "awk hash join on RPPS"
settle "rppsync check --directory"
settle "mlr join on RPPS"

say "== 3. check of the 10k-row XLSX against the database vs a bare streaming read ($RUNS runs each)"
for _ in $(seq "$RUNS"); do
  once "xlsxscan (bare read)" bin/xlsxscan "$AG10X"
  once "rppsync check (database)" bin/rppsync check --format json --out /dev/null --log-level warn "$AG10X"
done
settle "xlsxscan (bare read)"
settle "rppsync check (database)"

if [ "$DENSE" = 1 ]; then
  say "== 4. dense extract: check --directory (10k rows) vs awk ($RUNS runs each)"
  DEXTRACT=$DDIR/PS_LibreAcces_Personne_activite_202611200800.txt
  leftside "$DDIR/agency-10k.csv" >"$DDIR/left.nidx"
  for _ in $(seq "$RUNS"); do
    once "awk hash join (dense)" awk -F'|' 'NR == FNR { want[$2] = 1; next } ($2 in want)' "$DDIR/left.nidx" "$DEXTRACT"
    once "check --directory (dense)" bin/rppsync check --directory "$DEXTRACT" --format json --out /dev/null --log-level warn "$DDIR/agency-10k.csv"
  done
  settle "awk hash join (dense)"
  settle "check --directory (dense)"
fi

say "== 5. the name search: rows without RPPS, all in the directory, a third with a surname typo"
# search DIR NAME: check --directory of DIR's search file, scored.
search() {
  local dir=$1 name=$2
  bin/rppsync check --directory "$dir/PS_LibreAcces_Personne_activite_202611200800.txt" --format json \
    --out "$dir/search-report.json" --log-level warn "$dir/agency-search-10k.csv"
  bin/searchscore -labels "$dir/agency-search-10k.labels.tsv" "$dir/search-report.json" >"$dir/search-score.txt"
  say "-- $name"
  cat "$dir/search-score.txt" >&2
}
search "$DIR" "extract of $DIR"
if [ "$DENSE" = 1 ]; then search "$DDIR" "dense extract"; fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
mem=$(free -g | awk '/Mem:/ { print $2 " GiB" }')
lines=$(($(wc -l <"$EXTRACT") - 1))
size=$(du -m "$EXTRACT" | cut -f1)
{
  echo "Machine: $(nproc) cores, $cpu, $mem; PostgreSQL $(psql "$BENCH_URL" -Atc 'show server_version'); $(go version | cut -d' ' -f3); $(date -u +%Y-%m-%d)."
  echo "Data: synthetic extract of $lines lines ($size MB), agency files of 10k rows (CSV and XLSX). Seconds: median of $RUNS runs, each right after its baseline's; RSS: the highest."
  echo
  echo "| run | seconds | peak RSS (MB) | baseline | ratio | target |"
  echo "|---|---|---|---|---|---|"
  echo "| \`directory load\` (nightly: over the previous extract) | ${SECS[rppsync directory load]} | ${RSS[rppsync directory load]} | \`psql \\copy\` ${SECS[psql \\copy (raw, no index)]} s | $(ratio "${SECS[rppsync directory load]}" "${SECS[psql \\copy (raw, no index)]}")× | ≤ 1.5×, ≤ 200 MB |"
  echo "| \`check --directory\` 10k | ${SECS[rppsync check --directory]} | ${RSS[rppsync check --directory]} | awk ${SECS[awk hash join on RPPS]} s | $(ratio "${SECS[rppsync check --directory]}" "${SECS[awk hash join on RPPS]}")× | ≤ 1.5×, ≤ 150 MB |"
  echo "| \`check --directory\` 10k | ${SECS[rppsync check --directory]} | ${RSS[rppsync check --directory]} | mlr join ${SECS[mlr join on RPPS]} s | $(ratio "${SECS[mlr join on RPPS]}" "${SECS[rppsync check --directory]}")× faster | ≥ 8× faster |"
  echo "| \`check\` 10k XLSX (database) | ${SECS[rppsync check (database)]} | ${RSS[rppsync check (database)]} | xlsxscan ${SECS[xlsxscan (bare read)]} s | $(ratio "${SECS[rppsync check (database)]}" "${SECS[xlsxscan (bare read)]}")× | ≤ 3× |"
  if [ "$DENSE" = 1 ]; then
    echo "| \`check --directory\` 10k, dense extract | ${SECS[check --directory (dense)]} | ${RSS[check --directory (dense)]} | awk ${SECS[awk hash join (dense)]} s | $(ratio "${SECS[check --directory (dense)]}" "${SECS[awk hash join (dense)]}")× | ≤ 2×, ≤ 150 MB |"
  fi
  echo
  echo "Name search (\`check --directory\` of agency-search-10k.csv, scored by searchscore; targets: ≥ 99 % right first candidate, ≤ 0.2 % sent to registration):"
  echo
  echo '```'
  echo "extract of $DIR"
  cat "$DIR/search-score.txt"
  if [ "$DENSE" = 1 ]; then
    echo "dense extract ($DDIR)"
    cat "$DDIR/search-score.txt"
  fi
  echo '```'
} >"$OUT"
cat "$OUT"
