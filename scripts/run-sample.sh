#!/usr/bin/env bash
# run-sample.sh: the main job end to end on the synthetic sample data of
# fixtures/ (what `make run` runs). It works in a database of its own,
# rppsync_sample, made afresh; the sample files' mission and card dates are
# moved to today (fixtures/cmd/shiftdates) so that the queue shows work to
# do whatever today is; the digests and fix lists are delivered to a local
# SMTP sink on loopback (fixtures/cmd/mailsink), one .eml file each.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH

BIN=${BIN:-bin/rppsync}
SAMPLE=${SAMPLE_DIR:-bin/sample}
DAY=2026-11-25 # the day the sample data was written for
EXTRACT=fixtures/directory/PS_LibreAcces_Personne_activite_202611200800.txt
CARDS=Porteurs_CPS_CPF_202611200800.txt

rm -rf "$SAMPLE"
mkdir -p "$SAMPLE/mail"
go run ./fixtures/cmd/shiftdates -from "$DAY" -since 2026-01-01 -out "$SAMPLE" fixtures/agencies/*.xlsx fixtures/agencies/*.csv
go run ./fixtures/cmd/shiftdates -from "$DAY" -out "$SAMPLE" "fixtures/directory/$CARDS"
go build -o bin/mailsink ./fixtures/cmd/mailsink

DATABASE_URL=$(FRESH_DB=rppsync_sample bash scripts/db.sh)
export DATABASE_URL

# The sample structures' webhook secret (fixtures/structures.example.json
# names the variable) and the sink that checks it.
export RPPSYNC_WEBHOOK_SECRET_CHSB=sample-secret-of-the-make-run-only-0123456789
MAILSINK_WEBHOOK_SECRET=$RPPSYNC_WEBHOOK_SECRET_CHSB bin/mailsink -dir "$SAMPLE/mail" -addr 127.0.0.1:0 -http 127.0.0.1:0 -for 10m >"$SAMPLE/mailsink.log" 2>&1 &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q listening "$SAMPLE/mailsink.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SAMPLE/mailsink.log")
hooks=$(sed -n 's/.*webhooks on \(http:[^ ]*\).*/\1/p' "$SAMPLE/mailsink.log")
[ -n "$port" ] && [ -n "$hooks" ] || { echo "run-sample: the sink did not start:" >&2; cat "$SAMPLE/mailsink.log" >&2; exit 1; }
# The sample configuration, with the webhook sent to the local sink.
sed "s#https://si.chsb.example.org/rppsync/notifications#${hooks}chsb#" fixtures/structures.example.json >"$SAMPLE/structures.json"

set -x
"$BIN" migrate
"$BIN" structures load "$SAMPLE/structures.json"
"$BIN" directory load --force "$EXTRACT"
"$BIN" directory load --force "$SAMPLE/$CARDS"
"$BIN" check --format table "$SAMPLE/interim-alpha.xlsx" "$SAMPLE/interim-beta.csv" "$SAMPLE/interim-gamma.csv"
{ set +x; } 2>/dev/null
# HR drops the agencies' files into the inbox, a folder per agency.
mkdir -p "$SAMPLE/inbox/Intérim Alpha" "$SAMPLE/inbox/Intérim Beta" "$SAMPLE/inbox/Intérim Gamma"
cp "$SAMPLE/interim-alpha.xlsx" "$SAMPLE/inbox/Intérim Alpha/"
cp "$SAMPLE/interim-beta.csv" "$SAMPLE/inbox/Intérim Beta/"
cp "$SAMPLE/interim-gamma.csv" "$SAMPLE/inbox/Intérim Gamma/"
set -x
# One pass, what the nightly schedule runs: import the inbox, reconcile,
# write and deliver the digests, purge.
"$BIN" run --inbox "$SAMPLE/inbox" --inbox-stable 1s \
  --smtp-host 127.0.0.1 --smtp-port "$port" --smtp-tls none --smtp-from rppsync@localhost
"$BIN" queue list --format table
"$BIN" queue export --finess 250999901 --format xlsx --out "$SAMPLE/file-250999901.xlsx"
"$BIN" status --format table
set +x
echo
echo "Digests and fix lists delivered to the local sink (e-mails .eml, webhooks .webhook.json): $SAMPLE/mail/"
ls -1 "$SAMPLE/mail/"
echo "Files imported, with their reports: $SAMPLE/inbox/done/"
echo "CH SYNTHETIQUE DE BESANCON's queue as a workbook: $SAMPLE/file-250999901.xlsx"
