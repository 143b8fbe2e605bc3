#!/usr/bin/env bash
# Foundation benchmarks for City Portal.
#
#   bench/foundation.sh
#
# What it measures, against the release binary with the demo city loaded
# (SQLite in a fresh temp dir, sessions in memory, no Redis, no Meilisearch):
#
#   1. Throughput and p99 latency of reading one listing through the API,
#      `GET /api/v1/listings/{id}` (and, as an extra line, by slug), compared with
#      a trivial route of the same server, `GET /healthz`: same concurrency, same
#      server process. Target: listing rate >= 50% of the /healthz rate.
#      Each route runs twice, alternating (healthz, id, slug, healthz, id, slug),
#      so run-to-run noise is visible; the verdict uses the means.
#   2. Server memory (VmRSS and VmHWM from /proc/<pid>/status): idle after start-up
#      and a short settle, and under the load above (VmRSS sampled every 0.2 s,
#      the maximum is reported). Target: < 100 MB.
#
# It builds with `cargo build --release -p api` (waits if another cargo holds the
# lock), installs `wrk` (and `jq`, `curl`) with apt-get if missing, starts the
# server on 127.0.0.1 (loopback only), and stops it at the end.
#
# Results go to bench/results/foundation.md (Markdown) and are printed on stdout;
# progress goes to stderr. These are measurements, not tests: the exit code is
# non-zero only on errors (build failure, server not starting, wrk failing,
# non-2xx answers), never because a target was missed.
#
# Environment (all optional):
#   BENCH_DURATION      wrk duration of each measured run      (default 15s)
#   BENCH_CONNECTIONS   wrk connections                         (default 32)
#   BENCH_WARMUP        unreported warm-up per route            (default 3s; 0 = none)
#   BENCH_SETTLE        seconds to wait before the idle reading (default 3)
#   BENCH_PORT          first port to try                       (default 18181)
#   BENCH_REV           build and measure this commit (a clean `git archive` export,
#                       built in target/bench-rev) instead of the working tree
#   BENCH_KEEP_TMP=1    keep the temp dir (database, server log, wrk output)
#   LISTING_CACHE_MS    the server's listing cache lifetime      (default 1000, the
#                       server's default; 0 measures the database path alone)
#   BENCH_OUT           the results file (default bench/results/foundation.md)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
OUT="${BENCH_OUT:-$BENCH_DIR/results/foundation.md}"
[[ "$OUT" = /* ]] || OUT="$PWD/$OUT"
CACHE_MS="${LISTING_CACHE_MS:-1000}"

DURATION="${BENCH_DURATION:-15s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
WARMUP="${BENCH_WARMUP:-3s}"
SETTLE="${BENCH_SETTLE:-3}"
FIRST_PORT="${BENCH_PORT:-18181}"
THREADS=2
START_TIMEOUT=600 # seconds; the first start imports the demo city
MEM_TARGET_MB=100
RATIO_TARGET_PCT=50

[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONNECTIONS must be a positive integer"
[[ "$SETTLE" =~ ^[0-9]+$ ]] || die "BENCH_SETTLE must be a whole number of seconds"
[[ "$FIRST_PORT" =~ ^[0-9]+$ ]] || die "BENCH_PORT must be a port number"
if ((CONNECTIONS < THREADS)); then THREADS=$CONNECTIONS; fi

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
((${#missing[@]} == 0)) || apt_install "${missing[@]}"

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------
build_portal bench-rev

# ---------------------------------------------------------------------------
# Server in a fresh temp dir (so the demo city is imported on first start)
# ---------------------------------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/city-portal-bench.XXXXXX")"
SERVER_PID=""
SAMPLER_PID=""

cleanup() {
    if [[ -n "$SAMPLER_PID" ]]; then
        { kill "$SAMPLER_PID" || true; wait "$SAMPLER_PID" || true; } 2>/dev/null
    fi
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "stopping the server (pid $SERVER_PID)"
        kill -INT "$SERVER_PID" 2>/dev/null || true # ctrl-c: graceful shutdown
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ "${BENCH_KEEP_TMP:-0}" == 1 ]]; then
        log "kept $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$FIRST_PORT
while port_in_use "$PORT"; do
    PORT=$((PORT + 1))
    ((PORT < FIRST_PORT + 100)) || die "no free port in $FIRST_PORT..$((FIRST_PORT + 99))"
done
BASE="http://127.0.0.1:$PORT"

log "starting $BIN on $BASE (database in $TMP)"
# Run in the temp dir so no .env of the checkout is read; the settings the
# benchmark depends on are set here, and the caller's backends are removed.
(
    cd "$TMP"
    exec env -u REDIS_URL -u REDIS_KEY_PREFIX -u MEILI_URL -u MEILI_API_KEY \
        -u PUBLIC_URL -u MAX_BODY_BYTES -u CONFIG_FILE \
        BIND_ADDR="127.0.0.1:$PORT" \
        DATABASE_URL="sqlite://$TMP/bench.db?mode=rwc" \
        LOG=warn ANONYMOUS_REQUESTS_PER_MINUTE=0 DEMO_DATA=true LISTING_CACHE_MS="$CACHE_MS" \
        "$BIN" serve
) </dev/null >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

start_ns=$(date +%s%N)
until curl -fsS -o /dev/null --max-time 2 "$BASE/readyz" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited during start-up"
    (($(date +%s%N) - start_ns < START_TIMEOUT * 1000000000)) \
        || die "the server was not ready after ${START_TIMEOUT}s"
    sleep 0.2
done
STARTUP_S=$(awk -v ns=$(($(date +%s%N) - start_ns)) 'BEGIN { printf "%.1f", ns / 1e9 }')
log "ready after ${STARTUP_S}s"

# /proc/<pid>/status field in kB.
proc_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }
# kB (KiB, as /proc reports) -> MB (10^6 bytes), one decimal.
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb * 1024 / 1e6 }'; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
verdict() { if "$@"; then echo yes; else echo "**no**"; fi; }

sleep "$SETTLE"
IDLE_RSS_KB=$(proc_kb VmRSS)
IDLE_HWM_KB=$(proc_kb VmHWM)
log "idle: VmRSS $(mb "$IDLE_RSS_KB") MB, VmHWM $(mb "$IDLE_HWM_KB") MB"

# A real listing from the demo city.
first=$(curl -fsS --max-time 10 "$BASE/api/v1/listings?limit=1") || die "GET /api/v1/listings failed"
LISTING_ID=$(jq -r '.items[0].id // empty' <<<"$first")
LISTING_SLUG=$(jq -r '.items[0].slug // empty' <<<"$first")
[[ -n "$LISTING_ID" ]] || die "the demo city has no published listing (GET /api/v1/listings?limit=1 is empty)"
for path in "/healthz" "/api/v1/listings/$LISTING_ID" ${LISTING_SLUG:+"/api/v1/listings/$LISTING_SLUG"}; do
    curl -fsS -o /dev/null --max-time 10 "$BASE$path" || die "GET $path does not answer 2xx"
done
# Count the published listings through the API (pages of 100), to show the
# demo city is loaded.
LISTING_COUNT=0
cursor=""
for _ in $(seq 1 1000); do
    page=$(curl -fsS --max-time 10 "$BASE/api/v1/listings?limit=100${cursor:+&cursor=$cursor}") \
        || die "GET /api/v1/listings (paging) failed"
    LISTING_COUNT=$((LISTING_COUNT + $(jq '.items | length' <<<"$page")))
    cursor=$(jq -r '.next_cursor // empty' <<<"$page")
    [[ -n "$cursor" ]] || break
done
log "$LISTING_COUNT published listings; benchmarking id $LISTING_ID, slug ${LISTING_SLUG:-(none)}"

# ---------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------
ROUTES=("healthz|GET /healthz|/healthz"
    "id|GET /api/v1/listings/{id}|/api/v1/listings/$LISTING_ID")
if [[ -n "$LISTING_SLUG" ]]; then
    ROUTES+=("slug|GET /api/v1/listings/{slug} (extra)|/api/v1/listings/$LISTING_SLUG")
fi

LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if [[ "$WARMUP" != 0 && "$WARMUP" != 0s ]]; then
    for r in "${ROUTES[@]}"; do
        IFS='|' read -r _ label path <<<"$r"
        log "warm-up $WARMUP: $label"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$BASE$path" >/dev/null || die "wrk failed (warm-up)"
    done
fi

# VmRSS sampler for the whole measured phase, one line per sample. The file is
# created here, not by the background job, so it exists before the first run.
: >"$TMP/rss.samples"
(
    while [[ -r "/proc/$SERVER_PID/status" ]]; do
        while read -r key value _; do
            [[ "$key" == VmRSS: ]] && echo "$value"
        done <"/proc/$SERVER_PID/status"
        sleep 0.2
    done
) >>"$TMP/rss.samples" 2>/dev/null &
SAMPLER_PID=$!

# wrk prints latencies as 812.00us, 3.21ms or 1.02s; -> milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000;
        else if (u == "m") n *= 60000; else if (u != "ms") { print "?"; exit }
        printf "%.2f", n }'
}

declare -A SUM_RPS SUM_P99 N_RUNS
RUN_ROWS=()
HEALTHZ_RPS_LAST=""
HEALTHZ_RUN_NO=""
run_no=0
for round in 1 2; do
    for r in "${ROUTES[@]}"; do
        IFS='|' read -r key label path <<<"$r"
        run_no=$((run_no + 1))
        out="$TMP/wrk-$run_no-$key.txt"
        log "run $run_no: $label, round $round ($DURATION, $CONNECTIONS connections)"
        before=$(wc -l <"$TMP/rss.samples")
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE$path" >"$out" \
            || die "wrk failed: $(cat "$out")"
        after=$(wc -l <"$TMP/rss.samples")

        rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$out")
        p99raw=$(awk '$1 == "99%" { print $2 }' "$out")
        [[ -n "$rps" && -n "$p99raw" ]] || die "cannot parse wrk output: $(cat "$out")"
        p99=$(to_ms "$p99raw")
        non2xx=$(awk -F: '/Non-2xx or 3xx responses/ { gsub(/ /, "", $2); print $2 }' "$out")
        [[ -z "$non2xx" ]] || die "$label: $non2xx answers were not 2xx/3xx: $(cat "$out")"
        errors=$(awk '/Socket errors/ { s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i; print s }' "$out")
        errors=${errors:-0}
        run_rss_kb=$(sed -n "$((before + 1)),${after}p" "$TMP/rss.samples" | sort -n | tail -n 1)
        run_rss=$([[ -n "$run_rss_kb" ]] && mb "$run_rss_kb" || echo "?")
        log "  $rps req/s, p99 $p99 ms, max VmRSS $run_rss MB, socket errors $errors"

        SUM_RPS[$key]=$(awk -v a="${SUM_RPS[$key]:-0}" -v b="$rps" 'BEGIN { print a + b }')
        SUM_P99[$key]=$(awk -v a="${SUM_P99[$key]:-0}" -v b="$p99" 'BEGIN { print a + b }')
        N_RUNS[$key]=$((${N_RUNS[$key]:-0} + 1))

        if [[ "$key" == healthz ]]; then
            HEALTHZ_RPS_LAST=$rps
            HEALTHZ_RUN_NO=$run_no
            target="baseline"
            met="—"
        else
            pct=$(awk -v a="$rps" -v b="$HEALTHZ_RPS_LAST" 'BEGIN { printf "%.0f", 100 * a / b }')
            target="≥ ${RATIO_TARGET_PCT}% of run $HEALTHZ_RUN_NO (healthz): $pct%"
            met=$(verdict awk -v p="$pct" -v t="$RATIO_TARGET_PCT" 'BEGIN { exit !(p >= t) }')
        fi
        RUN_ROWS+=("| $run_no | \`$label\` | $round | $(printf '%.0f' "$rps") | $p99 | $run_rss | $errors | $target | $met |")
    done
done

kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
LOAD_RSS_KB=$(sort -n "$TMP/rss.samples" | tail -n 1)
SAMPLES=$(wc -l <"$TMP/rss.samples")
LOAD_HWM_KB=$(proc_kb VmHWM)

mean() { awk -v s="$1" -v n="$2" -v f="$3" 'BEGIN { printf f, s / n }'; }
HZ_RPS=$(mean "${SUM_RPS[healthz]}" "${N_RUNS[healthz]}" "%.0f")
HZ_P99=$(mean "${SUM_P99[healthz]}" "${N_RUNS[healthz]}" "%.2f")
SUMMARY_ROWS=("| \`GET /healthz\` (trivial route), mean of ${N_RUNS[healthz]} runs | $HZ_RPS req/s, p99 $HZ_P99 ms | baseline | — |")
for key in id slug; do
    [[ -n "${N_RUNS[$key]:-}" ]] || continue
    rps=$(mean "${SUM_RPS[$key]}" "${N_RUNS[$key]}" "%.0f")
    p99=$(mean "${SUM_P99[$key]}" "${N_RUNS[$key]}" "%.2f")
    pct=$(awk -v a="${SUM_RPS[$key]}" -v b="${SUM_RPS[healthz]}" 'BEGIN { printf "%.0f", 100 * a / b }')
    met=$(verdict awk -v p="$pct" -v t="$RATIO_TARGET_PCT" 'BEGIN { exit !(p >= t) }')
    label="\`GET /api/v1/listings/{$key}\`"
    [[ "$key" == slug ]] && label="$label (extra)"
    SUMMARY_ROWS+=("| $label, mean of ${N_RUNS[$key]} runs | $rps req/s ($pct% of healthz), p99 $p99 ms | ≥ ${RATIO_TARGET_PCT}% of healthz req/s | $met |")
done
mem_row() { # label kB
    local m
    m=$(mb "$2")
    echo "| $1 | $m MB | < $MEM_TARGET_MB MB | $(verdict below "$m" "$MEM_TARGET_MB") |"
}
SUMMARY_ROWS+=("$(mem_row "Memory idle: VmRSS ${SETTLE}s after ready" "$IDLE_RSS_KB")")
SUMMARY_ROWS+=("$(mem_row "Memory idle: VmHWM (peak since start, includes the demo import)" "$IDLE_HWM_KB")")
SUMMARY_ROWS+=("$(mem_row "Memory under load: max VmRSS ($SAMPLES samples, every 0.2 s)" "$LOAD_RSS_KB")")
SUMMARY_ROWS+=("$(mem_row "Memory under load: VmHWM after the last run" "$LOAD_HWM_KB")")

# ---------------------------------------------------------------------------
# Facts and report
# ---------------------------------------------------------------------------
NPROC=$(nproc)
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[[ -n "$CPU" ]] || CPU=$(lscpu 2>/dev/null | awk -F': *' '/^Model name/ { print $2; exit }')
MEM_TOTAL=$(awk '$1 == "MemTotal:" { printf "%.1f GB", $2 * 1024 / 1e9 }' /proc/meminfo)
# shellcheck source=/dev/null
OS=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}" || echo "?")
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
# The per-request cost of the request metrics (api/examples/metrics_cost.rs): built
# from the same source as the server, in release.
METRICS_LINE=""
if [[ -z "${BENCH_BIN:-}" ]]; then
    log "measuring the request metrics' cost (api/examples/metrics_cost.rs)"
    METRICS_LINE=$(cd "${SRC:-$ROOT}" && CARGO_TARGET_DIR="${TARGET:-$ROOT/target}" \
        cargo run -q --release -p api --example metrics_cost 2>/dev/null | grep '^metrics_cost:') || METRICS_LINE=""
fi

WRK_V=$({ wrk -v 2>&1 || true; } | head -n 1 | awk '{ print $1, $2, $3 }')
RUSTC_V=$(rustc --version)
CARGO_V=$(cargo --version)
PORTAL_V=$("$BIN" --version)

mkdir -p "$(dirname "$OUT")"
{
    echo "# Foundation benchmarks"
    echo
    echo "Written by \`bench/foundation.sh\`; run it again to refresh this file."
    echo
    echo "| setup | |"
    echo "|---|---|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| commit | \`$COMMIT\` |"
    echo "| machine | $NPROC CPUs (nproc), $CPU, $MEM_TOTAL RAM, $OS, Linux $(uname -r) |"
    echo "| load average (1, 5, 15 min) before / after the runs | $LOADAVG_BEFORE / $LOADAVG |"
    echo "| tools | $PORTAL_V (release build), $RUSTC_V, $CARGO_V, $WRK_V, $(curl --version | head -n 1 | cut -d' ' -f1-2) |"
    echo "| server | 127.0.0.1, SQLite in a fresh temp dir, demo city imported on start ($LISTING_COUNT published listings; ready after ${STARTUP_S}s), sessions in memory, no Redis, no Meilisearch, \`LOG=warn\`, \`LISTING_CACHE_MS=$CACHE_MS\` |"
    echo "| load | \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\` per run, after a ${WARMUP} warm-up per route; listing \`$LISTING_ID\` (slug \`${LISTING_SLUG:-none}\`), the first of \`GET /api/v1/listings?limit=1\` |"
    echo
    echo "## Summary"
    echo
    echo "| measure | result | target | met |"
    echo "|---|---|---|---|"
    printf '%s\n' "${SUMMARY_ROWS[@]}"
    echo
    echo "## Runs"
    echo
    echo "Alternating, in this order. The rate target of a listing run compares it with the"
    echo "healthz run just before it."
    echo
    echo "| # | route | round | requests/s | p99 latency (ms) | max VmRSS during run (MB) | socket errors | target | met |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${RUN_ROWS[@]}"
    echo
    echo "## Notes"
    echo
    echo "- On this $NPROC-CPU machine wrk ($THREADS threads) and the server share the cores, so"
    echo "  the absolute numbers understate a dedicated server; the listing/healthz ratio is the"
    echo "  figure the target is about. Other processes running at the same time (see the load"
    echo "  average) add noise; compare the two rounds."
    echo "- wrk sends no \`Accept-Encoding\`, so answers are not compressed."
    if [[ "$CACHE_MS" == 0 ]]; then
        echo "- \`LISTING_CACHE_MS=0\`: every listing read goes to the database (four queries)."
    else
        echo "- Published listings are served from the server's in-process cache for up to"
        echo "  ${CACHE_MS} ms after they were read (cleared by every write through the server),"
        echo "  so most listing reads here do not reach the database. Run with"
        echo "  \`LISTING_CACHE_MS=0\` to measure the database path alone."
    fi
    if [[ -n "$METRICS_LINE" ]]; then
        METRICS_CPU_NS=$(sed -E 's/.* ([0-9]+) ns of CPU.*/\1/' <<<"$METRICS_LINE")
        # The machine's CPU time per listing read at the measured rate, wrk's share
        # included: a rough comparison, not a profile.
        LISTING_RPS=$(mean "${SUM_RPS[id]:-0}" "${N_RUNS[id]:-1}" "%.0f")
        echo "- Request metrics (\`/metrics\`: a counter and a histogram per answered request,"
        echo "  by route, method and status), measured apart by \`api/examples/metrics_cost.rs\`:"
        echo "  ${METRICS_LINE#metrics_cost: }. At the listing rate above"
        echo "  ($LISTING_RPS req/s on $NPROC CPUs, $(awk -v r="$LISTING_RPS" -v n="$NPROC" 'BEGIN { printf "%.1f", n * 1e6 / r }') µs of CPU per request, wrk included),"
        echo "  that is about $(awk -v m="$METRICS_CPU_NS" -v r="$LISTING_RPS" -v n="$NPROC" 'BEGIN { printf "%.0f", 100 * m * r / (n * 1e9) }')% of a listing read's CPU time."
    fi
    echo "- Memory is from \`/proc/<pid>/status\`: VmRSS is the resident set now, VmHWM its peak"
    echo "  since the process started. 1 MB = 10^6 bytes (the kB of /proc are KiB)."
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote ${OUT#"$ROOT"/}"
cat "$OUT"
