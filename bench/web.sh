#!/usr/bin/env bash
# Web benchmarks for City Portal.
#
#   bench/web.sh
#
# What it measures, against the release binary with the demo city loaded (sessions
# in memory, no Redis, no Meilisearch: the database search), on SQLite in a fresh temp
# dir and then, for the server latency, on PostgreSQL in a fresh database:
#
#   1. Bytes transferred on a first, cold load of `/search?q=...` in Chromium
#      (Debian's /usr/bin/chromium driven by e2e/node_modules/playwright-core; a
#      browser is never downloaded): every request of the page until the network
#      is idle (HTML, CSS, JS, fonts, images), with the encoded (compressed) body
#      sizes and the response headers. Target: <= 60 KB. Any request to another
#      origin than the portal's is listed; only the map tile server is allowed
#      (the results map loads on demand, so a first load should request no tiles).
#      Non-loopback requests are aborted (and still counted as third-party).
#   2. Server latency p50/p99 of `GET /search?q=...` and `GET /listings/{slug}`
#      under load: `wrk --latency` with a few connections, as a browser asks
#      (Accept: text/html, Accept-Encoding: gzip, deflate, br). Target: p50 <= 20 ms.
#      The same runs again with the server on PostgreSQL (the same search words),
#      unless BENCH_POSTGRES_URL=none.
#
# PostgreSQL: BENCH_POSTGRES_URL (a URL whose user may create databases), else
# TEST_POSTGRES_URL, else the private test PostgreSQL of `scripts/test --services-only`
# (started if needed), as bench/search.sh; BENCH_POSTGRES_URL=none skips it. The
# benchmark creates its own database there (the demo city imported into it on start)
# and drops it at the end.
#
# It builds with `cargo build --release -p api` (waits if another cargo holds the
# lock), installs `wrk` (and `jq`, `curl`) with apt-get if missing, runs `npm ci`
# in e2e/ if its node_modules are missing, starts the server on 127.0.0.1
# (loopback only), and stops it at the end.
#
# Results go to bench/results/web.md (Markdown) and are printed on stdout;
# progress goes to stderr. These are measurements, not tests: the exit code is
# non-zero only on errors (build failure, server not starting, the browser or wrk
# failing, non-2xx answers), never because a target was missed.
#
# Environment (all optional):
#   BENCH_DURATION      wrk duration of each measured run      (default 15s)
#   BENCH_CONNECTIONS   wrk connections                         (default 4)
#   BENCH_WARMUP        unreported warm-up per route            (default 3s; 0 = none)
#   BENCH_QUERY         the search words (default: a word from a demo listing name
#                       that finds 10 to 300 results, a typical search)
#   BENCH_PORT          first port to try                       (default 18281)
#   BENCH_REV           build and measure this commit (a clean `git archive` export,
#                       built in target/bench-web-rev) instead of the working tree
#   BENCH_KEEP_TMP=1    keep the temp dir (database, server log, wrk output)
#   CHROMIUM            the browser                             (default /usr/bin/chromium)
#   BENCH_POSTGRES_URL  see above                                (`none` skips PostgreSQL)
#   BENCH_OUT           the results file (default bench/results/web.md)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
OUT="${BENCH_OUT:-$BENCH_DIR/results/web.md}"
[[ "$OUT" = /* ]] || OUT="$PWD/$OUT"

DURATION="${BENCH_DURATION:-15s}"
CONNECTIONS="${BENCH_CONNECTIONS:-4}"
WARMUP="${BENCH_WARMUP:-3s}"
FIRST_PORT="${BENCH_PORT:-18281}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
THREADS=2
START_TIMEOUT=600 # seconds; the first start imports the demo city
BYTES_TARGET_KB=60
P50_TARGET_MS=20
# The tile server the portal is configured with; nothing listens there, and the
# browser is not allowed to reach it: a first load must not ask for tiles.
TILE_URL="http://127.0.0.1:9/{z}/{x}/{y}.png"

[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONNECTIONS must be a positive integer"
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
command -v node >/dev/null || die "node not found (Node 20.11 or newer is needed)"
[[ -x "$CHROMIUM" ]] || die "no browser at $CHROMIUM (Debian: apt-get install chromium; set CHROMIUM)"
E2E_DIR="$ROOT/e2e"
if [[ ! -d "$E2E_DIR/node_modules/playwright-core" ]]; then
    log "installing the e2e npm packages (npm ci in e2e/)"
    (cd "$E2E_DIR" && npm ci --no-audit --no-fund >&2) || die "npm ci in e2e/ failed"
fi

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------
build_portal bench-web-rev

# ---------------------------------------------------------------------------
# Server in a fresh temp dir (so the demo city is imported on first start)
# ---------------------------------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/city-portal-bench-web.XXXXXX")"
SERVER_PID=""
PG_DB=""   # the PostgreSQL database created for the second server
PSQL=""

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "stopping the server (pid $SERVER_PID)"
        kill -INT "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

cleanup() {
    stop_server
    if [[ -n "$PG_DB" && -n "$PSQL" ]]; then
        log "dropping the PostgreSQL database $PG_DB"
        "$PSQL" -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    if [[ "${BENCH_KEEP_TMP:-0}" == 1 ]]; then
        log "kept $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME DATABASE_URL: the portal with the demo city on a free port (the
# demo city is imported on the first start); sets BASE, SERVER_PID and STARTUP_S.
start_server() {
    local name=$1 db=$2
    PORT=$FIRST_PORT
    while port_in_use "$PORT"; do
        PORT=$((PORT + 1))
        ((PORT < FIRST_PORT + 100)) || die "no free port in $FIRST_PORT..$((FIRST_PORT + 99))"
    done
    BASE="http://127.0.0.1:$PORT"
    SERVER_LOG="$TMP/server-$name.log"
    log "starting $BIN on $BASE ($name)"
    (
        cd "$TMP"
        exec env -u REDIS_URL -u REDIS_KEY_PREFIX -u MEILI_URL -u MEILI_API_KEY \
            -u PUBLIC_URL -u MAX_BODY_BYTES -u CONFIG_FILE -u THEME_DIR -u LISTING_CACHE_MS \
            BIND_ADDR="127.0.0.1:$PORT" \
            DATABASE_URL="$db" PARTNER_SECRETS_KEY="$PARTNER_KEY" \
            LOG=warn ANONYMOUS_REQUESTS_PER_MINUTE=0 DEMO_DATA=true DEFAULT_LOCALE=de MAP_TILE_URL="$TILE_URL" \
            "$BIN" serve
    ) </dev/null >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!

    local start_ns
    start_ns=$(date +%s%N)
    until curl -fsS -o /dev/null --max-time 2 "$BASE/readyz" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited during start-up"
        (($(date +%s%N) - start_ns < START_TIMEOUT * 1000000000)) \
            || die "the server was not ready after ${START_TIMEOUT}s"
        sleep 0.2
    done
    STARTUP_S=$(awk -v ns=$(($(date +%s%N) - start_ns)) 'BEGIN { printf "%.1f", ns / 1e9 }')
    log "ready after ${STARTUP_S}s"
}

# The key partner secrets would be encrypted with (PostgreSQL requires one).
PARTNER_KEY=$(head -c 32 /dev/urandom | base64)

# PostgreSQL for the second server, as bench/search.sh finds it.
PG_SKIP=""
PG_ORIGIN=""
PG_ADMIN=""
PG_V=""
if [[ "${BENCH_POSTGRES_URL:-}" == none ]]; then
    PG_SKIP="BENCH_POSTGRES_URL=none"
elif [[ -n "${BENCH_POSTGRES_URL:-}" ]]; then
    PG_ADMIN="$BENCH_POSTGRES_URL"
    PG_ORIGIN="BENCH_POSTGRES_URL"
elif [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
    PG_ADMIN="$TEST_POSTGRES_URL"
    PG_ORIGIN="TEST_POSTGRES_URL (scripts/test)"
else
    log "starting the test PostgreSQL: scripts/test --services-only"
    # A dummy MEILI_URL keeps scripts/test from starting a Meilisearch of its own.
    if services=$(MEILI_URL=http://127.0.0.1:9 "$ROOT/scripts/test" --services-only 2>"$TMP/services.log"); then
        PG_ADMIN=$(bash -c "$(grep '^export TEST_POSTGRES_URL=' <<<"$services")"'; printf %s "$TEST_POSTGRES_URL"')
        PG_ORIGIN="the private test PostgreSQL of scripts/test --services-only"
    fi
    [[ -n "$PG_ADMIN" ]] || PG_SKIP="no PostgreSQL: BENCH_POSTGRES_URL and TEST_POSTGRES_URL are unset and scripts/test --services-only failed"
fi
if [[ -n "$PG_ADMIN" ]]; then
    PSQL=$(command -v psql || true)
    if [[ -z "$PSQL" ]]; then
        for p in /usr/lib/postgresql/*/bin/psql; do [[ -x "$p" ]] && PSQL="$p"; done
    fi
    [[ -n "$PSQL" ]] || apt_install postgresql-client
    PSQL=${PSQL:-$(command -v psql)}
    PG_V=$("$PSQL" -X -tA "$PG_ADMIN" -c 'SHOW server_version' 2>/dev/null) \
        || die "cannot connect to PostgreSQL ($PG_ORIGIN)"
    PG_V="PostgreSQL ${PG_V%% *}"
fi
[[ -z "$PG_SKIP" ]] || log "skipping PostgreSQL: $PG_SKIP"

start_server sqlite "sqlite://$TMP/bench.db?mode=rwc"
SQLITE_STARTUP_S=$STARTUP_S

# The search words: given, or a word of a demo business name with 10 to 300 results.
urlencode() { jq -rn --arg v "$1" '$v | @uri'; }
QUERY="${BENCH_QUERY:-}"
if [[ -z "$QUERY" ]]; then
    names=$(curl -fsS --max-time 10 "$BASE/api/v1/listings?kind=business&limit=50" | jq -r '.items[].name.de') \
        || die "GET /api/v1/listings failed"
    for w in $(tr -cs '[:alpha:]' '\n' <<<"$names" | awk 'length >= 5' | head -n 40); do
        n=$(curl -fsS --max-time 10 "$BASE/api/v1/search?q=$(urlencode "$w")&per_page=1" | jq '.estimated_total') \
            || die "GET /api/v1/search failed"
        if ((n >= 10 && n <= 300)); then QUERY="$w"; break; fi
    done
    [[ -n "$QUERY" ]] || die "no word of a demo business name finds 10 to 300 results; set BENCH_QUERY"
fi
SEARCH_PATH="/search?q=$(urlencode "$QUERY")"
HITS=$(curl -fsS --max-time 10 "$BASE/api/v1/search?q=$(urlencode "$QUERY")&per_page=1" | jq '.estimated_total')
LISTING_SLUG=$(curl -fsS --max-time 10 "$BASE/api/v1/listings?kind=business&limit=1" | jq -r '.items[0].slug // empty')
[[ -n "$LISTING_SLUG" ]] || die "the demo city has no published business"
LISTING_PATH="/listings/$LISTING_SLUG"
for path in "$SEARCH_PATH" "$LISTING_PATH"; do
    curl -fsS -o /dev/null --max-time 10 -H 'Accept: text/html' "$BASE$path" || die "GET $path does not answer 2xx"
done
log "search words '$QUERY' ($HITS results), listing $LISTING_SLUG"

# ---------------------------------------------------------------------------
# 1. Bytes of a cold first load in Chromium
# ---------------------------------------------------------------------------
log "cold load of $SEARCH_PATH in $CHROMIUM"
E2E_DIR="$E2E_DIR" CHROMIUM="$CHROMIUM" PAGE_URL="$BASE$SEARCH_PATH" TILE_URL="$TILE_URL" \
    node --input-type=module - >"$TMP/transfer.json" <<'JS' || die "the browser measurement failed"
import { createRequire } from 'node:module';
const require = createRequire(`${process.env.E2E_DIR}/package.json`);
const { chromium } = require('playwright-core');

const pageUrl = new URL(process.env.PAGE_URL);
const tileOrigin = new URL(process.env.TILE_URL.replace(/[{}]/g, '')).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // A fresh context: empty cache, no cookies (a first visit).
  const context = await browser.newContext({ locale: 'de-DE', serviceWorkers: 'block' });
  const loopback = (u) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname);
  await context.route((u) => !loopback(u.toString()), (route) => route.abort('blockedbyclient'));
  const page = await context.newPage();
  const requests = [];
  page.on('requestfinished', (r) => requests.push({ r, failed: null }));
  page.on('requestfailed', (r) => requests.push({ r, failed: r.failure()?.errorText ?? 'failed' }));
  const res = await page.goto(pageUrl.toString(), { waitUntil: 'networkidle', timeout: 60_000 });
  if (!res || res.status() !== 200) throw new Error(`${pageUrl}: HTTP ${res?.status()}`);
  const hits = await page.locator('main ol.hits > li').count();
  const rows = [];
  for (const { r, failed } of requests) {
    const url = new URL(r.url());
    if (url.protocol === 'data:') continue;
    const sizes = failed ? { responseBodySize: 0, responseHeadersSize: 0 } : await r.sizes();
    const resp = failed ? null : await r.response();
    const headers = resp ? await resp.allHeaders() : {};
    rows.push({
      url: url.origin === pageUrl.origin ? url.pathname + url.search : url.toString(),
      type: r.resourceType(),
      status: resp?.status() ?? 0,
      encoding: headers['content-encoding'] ?? 'none',
      body: sizes.responseBodySize,
      headers: sizes.responseHeadersSize,
      thirdParty: url.origin !== pageUrl.origin,
      tile: url.origin === tileOrigin,
      failed,
    });
  }
  console.log(JSON.stringify({ hits, rows }));
} finally {
  await browser.close();
}
JS
T_COUNT=$(jq '.rows | length' "$TMP/transfer.json")
T_BODY=$(jq '[.rows[].body] | add // 0' "$TMP/transfer.json")
T_HEAD=$(jq '[.rows[].headers] | add // 0' "$TMP/transfer.json")
T_HITS=$(jq '.hits' "$TMP/transfer.json")
T_THIRD=$(jq '[.rows[] | select(.thirdParty and (.tile | not))] | length' "$TMP/transfer.json")
T_TILES=$(jq '[.rows[] | select(.tile)] | length' "$TMP/transfer.json")
T_BAD=$(jq '[.rows[] | select((.thirdParty | not) and (.failed != null or .status >= 400))] | length' "$TMP/transfer.json")
((T_HITS > 0)) || die "the results page showed no hits"
((T_BAD == 0)) || die "the page had failed requests: $(jq -c '[.rows[] | select(.failed != null or .status >= 400)]' "$TMP/transfer.json")"
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000 }'; }
T_TOTAL=$((T_BODY + T_HEAD))
log "cold load: $T_COUNT requests, $(kb "$T_BODY") KB bodies + $(kb "$T_HEAD") KB headers, third-party $T_THIRD, tiles $T_TILES"

# ---------------------------------------------------------------------------
# 2. Server latency under load
# ---------------------------------------------------------------------------
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000;
        else if (u == "m") n *= 60000; else if (u != "ms") { print "?"; exit }
        printf "%.2f", n }'
}
WRK_HEADERS=(-H 'Accept: text/html,application/xhtml+xml' -H 'Accept-Encoding: gzip, deflate, br' -H 'Accept-Language: de-DE,de;q=0.9')
ROUTES=("search|GET /search?q=$QUERY|$SEARCH_PATH" "listing|GET /listings/{slug}|$LISTING_PATH"
    "all|GET /search (extra: no words, every listing)|/search")
met() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; then echo yes; else echo "**no**"; fi; }
RUN_ROWS=()
declare -A P50S
run_no=0
# latency_runs DB_LABEL DB_KEY: the alternating wrk runs of every route against BASE.
latency_runs() {
    local db_label=$1 db_key=$2 r key label path round out rps p50raw p99raw non2xx p50 p99
    if [[ "$WARMUP" != 0 && "$WARMUP" != 0s ]]; then
        for r in "${ROUTES[@]}"; do
            IFS='|' read -r _ label path <<<"$r"
            log "warm-up $WARMUP: $label ($db_label)"
            wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${WRK_HEADERS[@]}" "$BASE$path" >/dev/null || die "wrk failed (warm-up)"
        done
    fi
    for round in 1 2; do
        for r in "${ROUTES[@]}"; do
            IFS='|' read -r key label path <<<"$r"
            run_no=$((run_no + 1))
            out="$TMP/wrk-$run_no-$db_key-$key.txt"
            log "run $run_no: $label on $db_label, round $round ($DURATION, $CONNECTIONS connections)"
            wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${WRK_HEADERS[@]}" "$BASE$path" >"$out" \
                || die "wrk failed: $(cat "$out")"
            rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$out")
            p50raw=$(awk '$1 == "50%" { print $2 }' "$out")
            p99raw=$(awk '$1 == "99%" { print $2 }' "$out")
            [[ -n "$rps" && -n "$p50raw" && -n "$p99raw" ]] || die "cannot parse wrk output: $(cat "$out")"
            non2xx=$(awk -F: '/Non-2xx or 3xx responses/ { gsub(/ /, "", $2); print $2 }' "$out")
            [[ -z "$non2xx" ]] || die "$label: $non2xx answers were not 2xx/3xx: $(cat "$out")"
            p50=$(to_ms "$p50raw")
            p99=$(to_ms "$p99raw")
            P50S[$db_key-$key]="${P50S[$db_key-$key]:-} $p50"
            log "  $rps req/s, p50 $p50 ms, p99 $p99 ms"
            RUN_ROWS+=("| $run_no | $db_label | \`$label\` | $round | $(printf '%.0f' "$rps") | $p50 | $p99 | ≤ $P50_TARGET_MS ms | $(met "$p50" "$P50_TARGET_MS") |")
        done
    done
}
LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
DBS=(sqlite)
latency_runs SQLite sqlite
stop_server
PG_STARTUP_S=""
PG_HITS=""
if [[ -n "$PG_ADMIN" ]]; then
    PG_DB="city_portal_bench_web_$(date +%s)_$RANDOM"
    "$PSQL" -X -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null || die "CREATE DATABASE $PG_DB failed"
    PG_URL=$(jq -rn --arg u "$PG_ADMIN" --arg d "$PG_DB" '$u | sub("/[^/?]*(?<rest>\\?.*)?$"; "/" + $d + (.rest // ""))')
    start_server postgres "$PG_URL"
    PG_STARTUP_S=$STARTUP_S
    PG_HITS=$(curl -fsS --max-time 10 "$BASE/api/v1/search?q=$(urlencode "$QUERY")&per_page=1" | jq '.estimated_total')
    [[ "$PG_HITS" == "$HITS" ]] || die "the search finds $PG_HITS results on PostgreSQL, $HITS on SQLite"
    for path in "$SEARCH_PATH" "$LISTING_PATH"; do
        curl -fsS -o /dev/null --max-time 10 -H 'Accept: text/html' "$BASE$path" || die "GET $path does not answer 2xx on PostgreSQL"
    done
    DBS+=(postgres)
    latency_runs PostgreSQL postgres
    stop_server
    "$PSQL" -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null || log "dropping $PG_DB failed"
    PG_DB=""
fi
median_of() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

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
WRK_V=$({ wrk -v 2>&1 || true; } | head -n 1 | awk '{ print $1, $2, $3 }')
PW_V=$(jq -r .version "$E2E_DIR/node_modules/playwright-core/package.json")
BROWSER_V=$("$CHROMIUM" --version 2>/dev/null | head -n 1 || echo chromium)
PORTAL_V=$("$BIN" --version)
bytes_met=$(met "$(kb "$T_TOTAL")" "$BYTES_TARGET_KB")
if ((T_THIRD == 0)); then third_met=yes; else third_met="**no**"; fi

mkdir -p "$(dirname "$OUT")"
{
    echo "# Web benchmarks"
    echo
    echo "Written by \`bench/web.sh\`; run it again to refresh this file."
    echo
    echo "| setup | |"
    echo "|---|---|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| commit | \`$COMMIT\` |"
    echo "| machine | $NPROC CPUs (nproc), $CPU, $MEM_TOTAL RAM, $OS, Linux $(uname -r) |"
    echo "| load average (1, 5, 15 min) before / after the load runs | $LOADAVG_BEFORE / $LOADAVG |"
    echo "| tools | $PORTAL_V (release build), $BROWSER_V, playwright-core $PW_V, node $(node --version), $WRK_V |"
    echo "| server | 127.0.0.1, demo city imported on start, sessions in memory, no Redis, no Meilisearch (database search), \`LOG=warn\`, default listing cache |"
    echo "| databases | SQLite in a fresh temp dir (ready after ${SQLITE_STARTUP_S}s); $(if [[ -n "$PG_STARTUP_S" ]]; then echo "$PG_V: a fresh database (dropped at the end) on $PG_ORIGIN (ready after ${PG_STARTUP_S}s)"; else echo "PostgreSQL skipped: $PG_SKIP"; fi) |"
    echo "| pages | \`$SEARCH_PATH\` ($HITS results), \`$LISTING_PATH\` |"
    echo
    echo "## Summary"
    echo
    echo "| measure | result | target | met |"
    echo "|---|---|---|---|"
    echo "| Cold first load of \`$SEARCH_PATH\` in Chromium: bytes transferred (encoded bodies + response headers) | $(kb "$T_TOTAL") KB in $T_COUNT requests ($(kb "$T_BODY") KB bodies, $(kb "$T_HEAD") KB headers) | ≤ $BYTES_TARGET_KB KB | $bytes_met |"
    echo "| Third-party requests on that load (other than map tiles) | $T_THIRD (map tiles: $T_TILES) | none | $third_met |"
    for db in "${DBS[@]}"; do
        db_label=SQLite
        [[ "$db" == postgres ]] && db_label=PostgreSQL
        for key in search listing all; do
            p=$(median_of "${P50S[$db-$key]}")
            label="GET /search?q=$QUERY"
            [[ "$key" == listing ]] && label="GET /listings/{slug}"
            [[ "$key" == all ]] && label="GET /search (extra: no words, every listing)"
            echo "| Server latency p50 of \`$label\` under load on $db_label (median of the runs) | $p ms | ≤ $P50_TARGET_MS ms | $(met "$p" "$P50_TARGET_MS") |"
        done
    done
    echo
    echo "## Cold load, request by request"
    echo
    echo "| request | type | status | content-encoding | body bytes (encoded) | header bytes | third-party |"
    echo "|---|---|---|---|---|---|---|"
    jq -r '.rows[] | "| `\(.url)` | \(.type) | \(.status) | \(.encoding) | \(.body) | \(.headers) | \(if .tile then "map tile" elif .thirdParty then "**yes**" else "no" end) |"' "$TMP/transfer.json"
    echo
    echo "## Server latency runs"
    echo
    echo "\`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\` per run, after a $WARMUP warm-up per route, with the"
    echo "headers of a browser (\`Accept: text/html\`, \`Accept-Encoding: gzip, deflate, br\`,"
    echo "\`Accept-Language: de\`), so answers are rendered in German and compressed. Alternating, in this order,"
    echo "first on SQLite, then on PostgreSQL (a second server, the demo city imported into a fresh database)."
    echo
    echo "| # | database | route | round | requests/s | p50 (ms) | p99 (ms) | target (p50) | met |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${RUN_ROWS[@]}"
    echo
    echo "## Notes"
    echo
    echo "- The bytes are what the browser received: each response's encoded (compressed) body"
    echo "  and its headers, as playwright reports them, for every request until the network was"
    echo "  idle. The results map (Leaflet and tiles) loads only when asked for, so it is not part"
    echo "  of a first load. Requests to anywhere but loopback are aborted and would be listed as"
    echo "  third-party."
    echo "- On this $NPROC-CPU machine wrk and the server share the cores; other processes running"
    echo "  at the same time (see the load average) add noise. Compare the two rounds."
    echo "- The search runs on the database engine here; with Meilisearch (\`MEILI_URL\`) the"
    echo "  search page's time includes a round trip to it. The extra \`/search\` without words"
    echo "  matches every published listing and counts every facet over all of them: the"
    echo "  database engine's worst case."
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote ${OUT#"$ROOT"/}"
cat "$OUT"
