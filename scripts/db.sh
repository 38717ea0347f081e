#!/usr/bin/env bash
# db.sh makes a PostgreSQL server reachable for rppsync and creates its databases.
#
# In order, it uses: DATABASE_URL (or TEST_DATABASE_URL) when set and reachable;
# else a server already listening on 127.0.0.1:5432; else the machine's own
# cluster, started with pg_ctlcluster; else, on Debian as root, it installs the
# `postgresql` package and starts it. On a cluster it starts or installs itself,
# it lets local TCP connections from 127.0.0.1 / ::1 in without a password
# (trust), which suits a developer or CI machine, not a shared server.
#
# It then creates the databases `rppsync` and `rppsync_test` when missing and
# prints the URL to use. It prints only to stderr, except the final URL line.
#
# With FRESH_DB=NAME (`make run` uses rppsync_sample), it drops and creates
# that database on the same server and prints its URL instead: the sample
# run starts from nothing every time, and no other database is touched.
set -euo pipefail

say() { printf 'db: %s\n' "$*" >&2; }
LOCAL_URL="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

need_psql() {
  if ! command -v psql >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "psql is missing: installing postgresql-client"
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >&2
    else
      say "psql is missing: install the postgresql-client package"; exit 1
    fi
  fi
}

reachable() { psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

# admin_url turns a database URL into the URL of the same server's `postgres` database.
admin_url() {
  local u=$1 base query=""
  case $u in *\?*) query="?${u#*\?}"; u=${u%%\?*} ;; esac
  base=${u%/*}
  case $base in *://) base=$u ;; esac
  printf '%s/postgres%s' "$base" "$query"
}

start_cluster() {
  local ver
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$ver" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "no PostgreSQL on this machine: installing Debian's postgresql package"
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
      ver=$(ls /etc/postgresql | sort -V | tail -n1)
    else
      say "no PostgreSQL server found: set DATABASE_URL, or run this script as root on Debian to install one"
      exit 1
    fi
  fi
  local hba=/etc/postgresql/$ver/main/pg_hba.conf
  if [ -w "$hba" ] && ! grep -q '^# rppsync: local trust' "$hba"; then
    say "letting local TCP connections in without a password ($hba)"
    { printf '# rppsync: local trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n'; cat "$hba"; } >"$hba.rppsync" && cat "$hba.rppsync" >"$hba" && rm -f "$hba.rppsync"
  fi
  say "starting PostgreSQL $ver (cluster main)"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start >&2 2>&1 || pg_ctlcluster --skip-systemctl-redirect "$ver" main reload >&2 2>&1 || true
  for _ in $(seq 1 30); do reachable "$LOCAL_URL" && return 0; sleep 1; done
  say "PostgreSQL $ver did not accept connections on 127.0.0.1:5432 within 30 s"; exit 1
}

need_psql
url=""
for cand in "${DATABASE_URL:-}" "${TEST_DATABASE_URL:-}"; do
  if [ -n "$cand" ] && reachable "$(admin_url "$cand")"; then url=$cand; break; fi
done
if [ -z "$url" ]; then
  if ! reachable "$LOCAL_URL"; then start_cluster; fi
  url="postgres://postgres@127.0.0.1:5432/rppsync?sslmode=disable"
fi

admin=$(admin_url "$url")
name=${url%%\?*}; name=${name##*/}
test_name=rppsync_test
if [ -n "${TEST_DATABASE_URL:-}" ]; then test_name=${TEST_DATABASE_URL%%\?*}; test_name=${test_name##*/}; fi
for db in "${name:-rppsync}" "$test_name"; do
  if [ "$(psql "$admin" -Atqc "select 1 from pg_database where datname = '$db'")" != 1 ]; then
    say "creating database $db"
    psql "$admin" -qc "create database $db" >&2
  fi
done
if [ -n "${FRESH_DB:-}" ]; then
  case $FRESH_DB in *[!a-z0-9_]*) say "FRESH_DB must be a plain database name"; exit 1 ;; esac
  say "starting database $FRESH_DB afresh"
  psql "$admin" -qc "drop database if exists $FRESH_DB with (force)" >&2
  psql "$admin" -qc "create database $FRESH_DB" >&2
  base=${url%%\?*}; query=""
  case $url in *\?*) query="?${url#*\?}" ;; esac
  url="${base%/*}/$FRESH_DB$query"
fi
say "PostgreSQL ready"
printf '%s\n' "$url"
