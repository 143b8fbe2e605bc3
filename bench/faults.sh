#!/usr/bin/env bash
# Fault recovery measurements for City Portal (issue 17): how long the portal needs
# when what it depends on goes away and comes back.
#
#   bench/faults.sh
#
# It runs the fault tests (`api/tests/it/faults.rs`) one at a time, against servers
# of their own: a Redis hung for 5 s (SIGSTOP) and stopped for 5 s, and a private
# PostgreSQL cluster stopped for 12 s under a stream of bookings, and a partner's
# booking system off the network for 8 s (SQLite and PostgreSQL). Each test checks
# its guarantees (503 with Retry-After while away, never 500; nothing lost or booked
# twice; working again without a restart) and prints what it measured; those lines go
# to bench/results/faults.md and stdout. Needs `redis-server` and PostgreSQL's
# binaries (scripts/test installs both); the exit code is non-zero when a test fails.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

RESULTS="$ROOT/bench/results/faults.md"
command -v redis-server >/dev/null || apt_install redis-server
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
COMMIT=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo "unknown")
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
log "running the fault tests (debug build)"
(cd "$ROOT" && REQUIRE_ALL_BACKENDS=1 cargo test -q -p api --test it -- faults:: \
    --nocapture --test-threads=1) >"$OUT" 2>&1 || { cat "$OUT" >&2; die "a fault test failed"; }
{
    echo "# Fault recovery"
    echo
    echo "Measured by \`bench/faults.sh\` (the fault tests of \`api/tests/it/faults.rs\`) on"
    echo "$(date -u +%Y-%m-%d), commit $COMMIT, $(nproc) cores, debug build, SQLite for the"
    echo "Redis faults and a private PostgreSQL $(ls -d /usr/lib/postgresql/*/ | head -1 | xargs basename) cluster for the database fault."
    echo
    echo "| fault | measured |"
    echo "|---|---|"
    # (cargo's -q progress dots may share a line with a test's output)
    grep -oE '(redis faults|postgres restart|partner down, [a-z]+): .*' "$OUT" | sed -E 's/^([a-z ,]+): (.*)$/| \1 | \2 |/'
    echo
    echo "Targets (issue 17): while Redis is away, session requests answer 503 at once and"
    echo "\`/readyz\` within 1 s; working again within 2 s of its return. A database that"
    echo "cannot be reached answers 503 with \`Retry-After\` (a request waits at most the"
    echo "pool's 10 s acquire timeout), never 500, and the pool recovers by itself. A"
    echo "partner that cannot be reached: bookings answer 503 with \`Retry-After\` (at once"
    echo "once its circuit is open), holds expire on time, and once it is back bookings go"
    echo "through again (the circuit tries again after 1 s, then twice as long after each"
    echo "failed trial, at most 30 s) and nothing stays unsettled."
} >"$RESULTS"
cat "$RESULTS"
