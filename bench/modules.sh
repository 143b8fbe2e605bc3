#!/usr/bin/env bash
# Modules benchmark for City Portal (issue 16): applications end to end.
#
#   bench/modules.sh
#
# What it measures, against the release binary on a fresh SQLite database (or
# BENCH_DATABASE_URL): the example parking-permit module registered and approved, its
# webhook a receiver on loopback; residents apply through
# `POST /api/v1/services/residents-parking-permit/applications` (validated against the
# form, stored, the event in the outbox in one transaction), and the server's module
# delivery signs and posts each one to the module's webhook.
#
#   1. Open loop at BENCH_RATE (50) submissions/s for BENCH_SECONDS (20): the submit
#      answer's p50/p99 and the delivery latency, from sending the submission to the
#      module receiving its signed webhook, p50/p99/max. Target: p99 < 1 s at 50/s.
#   2. Closed loop, BENCH_CONCURRENCY (16) residents submitting back to back:
#      submissions stored per second and delivered per second.
#
# Every answer must be 201 and every submission delivered exactly once, or the run
# fails. The driver is bench/modules.mjs (Node, with the e2e suite's helpers; runs
# `npm ci` in e2e/ if its node_modules are missing). BENCH_SEALED=1 seals each
# submission to the example's key (JWE) as a module with a key gets it.
#
# Results go to bench/results/modules.md and stdout; progress to stderr. Measurements,
# not tests: the exit code is non-zero only on errors.
#
# Environment (all optional): BENCH_RATE, BENCH_SECONDS, BENCH_CONCURRENCY,
# BENCH_RESIDENTS (20), BENCH_SEALED, BENCH_DATABASE_URL, BENCH_REV, BENCH_BIN
# (see bench/lib.sh).

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

RESULTS="$ROOT/bench/results/modules.md"
command -v node >/dev/null || die "node not found"
[[ -d "$ROOT/e2e/node_modules" ]] || (cd "$ROOT/e2e" && npm ci >&2) || die "npm ci failed in e2e/"
build_portal modules-bench

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT="$TMP/result.json"
log "running the driver (release binary $BIN)"
PORTAL_BIN="$BIN" BENCH_OUT="$OUT" \
    ${BENCH_DATABASE_URL:+DATABASE_URL="$BENCH_DATABASE_URL"} \
    node "$ROOT/bench/modules.mjs" || die "the driver failed"

j() { node -e "process.stdout.write(String(JSON.parse(require('fs').readFileSync('$OUT','utf8'))['$1']))"; }
P99=$(j delivery_p99_ms)
MET=$(awk -v p="$P99" 'BEGIN { print (p < 1000) ? "yes" : "**no**" }')
DB="SQLite (fresh file)"
[[ -n "${BENCH_DATABASE_URL:-}" ]] && DB="${BENCH_DATABASE_URL%%:*} (BENCH_DATABASE_URL)"
SEALED="plain (the module has no key)"
[[ -n "${BENCH_SEALED:-}" ]] && SEALED="sealed (JWE to the module's key)"

{
    echo "# Modules benchmark: applications end to end"
    echo
    echo "Run by \`bench/modules.sh\` on $(date -u +%Y-%m-%d) at commit $COMMIT,"
    echo "$(nproc) cores, database $DB, submissions $SEALED."
    echo
    echo "## Open loop: $(j rate) submissions/s for $(j seconds) s ($(j submissions) submissions)"
    echo
    echo "| measure | p50 | p99 | max |"
    echo "|---|---|---|---|"
    echo "| submit answer (201) | $(j answer_p50_ms) ms | $(j answer_p99_ms) ms | |"
    echo "| submit → module's webhook | $(j delivery_p50_ms) ms | $(j delivery_p99_ms) ms | $(j delivery_max_ms) ms |"
    echo
    echo "Target: delivery p99 < 1 s at 50/s: $MET. The sender was at most $(j sender_lag_max_ms) ms"
    echo "behind its schedule (the load generator runs on the same cores)."
    echo
    echo "## Closed loop: $(j closed_concurrency) residents back to back for $(j seconds) s"
    echo
    echo "- $(j closed_submissions) submissions: **$(j closed_stored_per_s)/s stored**,"
    echo "  **$(j closed_delivered_per_s)/s delivered** to the module (until the last arrived)."
    echo
    echo "Every submission was answered 201 and reached the module exactly once (checked by"
    echo "application id)."
} > "$RESULTS"
cat "$RESULTS"
