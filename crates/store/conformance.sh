#!/usr/bin/env bash
# Runs the storage conformance suite on SQLite and on PostgreSQL and checks that both ran the same,
# non-trivial number of behaviours. Called by scripts/test; usable alone:
#
#   crates/store/conformance.sh
#
# PostgreSQL: CUSTOS_TEST_POSTGRES_URL if set, else a throwaway cluster started by the harness from
# initdb/pg_ctl (PATH or /usr/lib/postgresql/*/bin; as the `postgres` user when root). With CI=true a
# missing PostgreSQL fails the run; otherwise the PostgreSQL tests skip with a loud message.
set -euo pipefail
cd "$(dirname "$0")/../.."

min=25
run() {
  local backend=$1 out
  out=$(cargo test -q -p custos-store --test conformance "${backend}::" 2>&1) || {
    printf '%s\n' "$out" >&2
    echo "conformance: the ${backend} run failed" >&2
    exit 1
  }
  printf '%s\n' "$out" | grep -E 'SKIPPING' >&2 || true
  printf '%s\n' "$out" | sed -n 's/^test result: ok\. \([0-9][0-9]*\) passed.*/\1/p' | head -n1
}

sqlite=$(run sqlite)
postgres=$(run postgres)
echo "conformance: sqlite ${sqlite} passed, postgres ${postgres} passed"
if [[ -z "$sqlite" || "$sqlite" != "$postgres" || "$sqlite" -lt "$min" ]]; then
  echo "conformance: expected the same count (at least ${min}) on both backends" >&2
  exit 1
fi
