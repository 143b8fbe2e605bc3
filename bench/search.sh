#!/usr/bin/env bash
# Search benchmarks for City Portal.
#
#   bench/search.sh
#
# What it measures, against the release binary with BENCH_LISTINGS generated listings
# (`city-portal generate-listings`, default 100,000 published businesses derived from
# the demo city's OpenStreetMap businesses) in a fresh database:
#
#   1. The same search queries (a rotating set: words from demo listing names, a typo,
#      open now, a category group with wheelchair access, a district, `near` with a
#      radius and by distance, English, by name), same concurrency, through the portal,
#      `GET /api/v1/search`, and directly against Meilisearch with the queries the
#      portal sends (built here the way search-indexer/src/search.rs builds them, and
#      checked against the portal's answers before the load: same hits, same totals,
#      same open-now counts): its main query and, for a search not filtered by "open
#      now", the open-now count (a second, limit-0 query), both in one
#      `POST /multi-search` as the portal sends them. Target: API p99 <= 1.2x direct
#      p99. Also against the main query alone (`POST /indexes/<uid>/search`), which
#      counts the open-now query as the portal's overhead. Meilisearch's own
#      `processingTimeMs` of the direct answers is reported beside them.
#   2. Index freshness: an owner changes a published listing's name to a unique word
#      (`PUT /api/v1/listings/{id}`, BENCH_CHANGES times); the time from the answer to
#      the write until the word finds the listing, polled about every 10 ms through
#      `/api/v1/search` (answered by Meilisearch) and directly in Meilisearch.
#      Target: p99 < 1 s. Meilisearch's own task timings (GET /tasks: enqueued,
#      started, finished) split it into the portal's share and Meilisearch's.
#   2b. The same with smaller indexes, each in its own SQLite database and index: the
#      demo city (its real OpenStreetMap listings) and BENCH_FRESH_SIZES generated
#      listings; Meilisearch's time per change grows with the index (see the results).
#   3. Reindex: documents per second of `city-portal reindex` (fresh index filled from
#      the database, swapped in) against a direct bulk add of the same documents
#      (read back with the documents API) in the same chunk size to a fresh index with
#      the same settings, until all its tasks succeeded. Order: reindex, direct,
#      reindex (the second swaps over an existing index). Target: >= 0.8x.
#   4. The database fallback (no MEILI_URL): p50/p99 of the same queries through
#      `/api/v1/search` on SQLite and on PostgreSQL, with the same listings.
#   Per query, a few sequential requests to every engine show the single-request time
#   and the number of results.
#
# Meilisearch: MEILI_URL (and MEILI_API_KEY) when set (indexes named bench_search_*
# are created and deleted there); otherwise a `meilisearch` on PATH is started on a
# free loopback port with a temp data dir and a generated master key, and stopped at
# the end; otherwise parts 1-3 are skipped and the results say so. Meilisearch is
# never built or downloaded.
# PostgreSQL: BENCH_POSTGRES_URL (a URL whose user may create databases), else
# TEST_POSTGRES_URL, else the private test PostgreSQL of `scripts/test --services-only`
# (started if needed); BENCH_POSTGRES_URL=none skips it. The benchmark creates its own
# database there and drops it at the end.
#
# It builds with `cargo build --release -p api` (waits if another cargo holds the
# lock), installs `wrk` (and `jq`, `curl`) with apt-get if missing, runs everything on
# 127.0.0.1 (loopback only) in a fresh temp dir, and stops what it started.
#
# Results go to bench/results/search.md (Markdown) and are printed on stdout;
# progress goes to stderr. These are measurements, not tests: the exit code is
# non-zero only on errors (build failure, a server not starting, wrk failing,
# non-2xx or wrong answers), never because a target was missed.
#
# Environment (all optional):
#   BENCH_LISTINGS      generated listings                      (default 100000)
#   BENCH_SEED          seed of generate-listings               (default 1)
#   BENCH_DURATION      wrk duration of each measured run       (default 15s)
#   BENCH_DB_DURATION   wrk duration of each database fallback run (default 60s: its
#                       tail latencies reach seconds with 100,000 listings)
#   BENCH_CONNECTIONS   wrk connections                         (default 8)
#   BENCH_WARMUP        unreported warm-up per route            (default 3s; 0 = none)
#   BENCH_CHANGES       listing changes for the freshness part  (default 50)
#   BENCH_FRESH_SIZES   index sizes of part 2b: \`city\` (the demo city) and numbers of
#                       generated listings                 (default "city 10000 30000";
#                       empty skips 2b)
#   BENCH_SCALE_CHANGES listing changes per size in part 2b     (default 20)
#   BENCH_SAMPLES       sequential requests per query and engine (default 5)
#   BENCH_PORT          first port to try                       (default 18381)
#   BENCH_POSTGRES_URL  see above                                (`none` skips PostgreSQL)
#   BENCH_PARTS=4       only part 4, the database fallback, even with a Meilisearch
#                       (without one it is all that runs anyway)
#   BENCH_REV           build and measure this commit (a clean `git archive` export,
#                       built in target/bench-search-rev) instead of the working tree
#   BENCH_KEEP_TMP=1    keep the temp dir (databases, logs, wrk output, documents)
#   BENCH_OUT           the results file (default bench/results/search.md)
#   MEILI_URL, MEILI_API_KEY   an existing Meilisearch (see above)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
OUT="${BENCH_OUT:-$BENCH_DIR/results/search.md}"
[[ "$OUT" = /* ]] || OUT="$PWD/$OUT"

LISTINGS="${BENCH_LISTINGS:-100000}"
SEED="${BENCH_SEED:-1}"
DURATION="${BENCH_DURATION:-15s}"
DB_DURATION="${BENCH_DB_DURATION:-60s}"
CONNECTIONS="${BENCH_CONNECTIONS:-8}"
WARMUP="${BENCH_WARMUP:-3s}"
CHANGES="${BENCH_CHANGES:-50}"
FRESH_SIZES="${BENCH_FRESH_SIZES:-city 10000 30000}"
SCALE_CHANGES="${BENCH_SCALE_CHANGES:-20}"
SAMPLES="${BENCH_SAMPLES:-5}"
FIRST_PORT="${BENCH_PORT:-18381}"
THREADS=2
CHUNK=1000           # documents per request: search_indexer::reindex::CHUNK
START_TIMEOUT=120    # seconds for a server to answer
TZ_CITY=Europe/Berlin # the portal's default CITY_TIMEZONE, set explicitly below
P99_RATIO_TARGET=1.2
FRESH_TARGET_MS=1000
REINDEX_RATIO_TARGET=0.8

[[ "$LISTINGS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_LISTINGS must be a positive integer"
[[ "$SEED" =~ ^[0-9]+$ ]] || die "BENCH_SEED must be a whole number"
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONNECTIONS must be a positive integer"
[[ "$CHANGES" =~ ^[1-9][0-9]*$ ]] || die "BENCH_CHANGES must be a positive integer"
[[ "$SAMPLES" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SAMPLES must be a positive integer"
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
build_portal bench-search-rev
RUN_START=$(date +%s)
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
"$BIN" generate-listings --help >/dev/null 2>&1 || die "$BIN has no generate-listings command"

# ---------------------------------------------------------------------------
# Temp dir, cleanup
# ---------------------------------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/city-portal-bench-search.XXXXXX")"
SERVER_PID=""
SERVER_LOG=""
MEILI_PID=""
MEILI=""      # base URL of the Meilisearch used, empty when none
MEILI_KEY=""
UID_BASE="bench_search_$(date +%s)_$RANDOM"
PG_ADMIN=""   # admin URL of the PostgreSQL used, empty when none
PG_DB=""      # the database created there
PSQL=""

stop_server() {
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
    SERVER_PID=""
    if [[ -n "${BASE:-}" ]] && curl -fsS -o /dev/null --max-time 1 "$BASE/healthz" 2>/dev/null; then
        die "a server still answers on $BASE after stopping it"
    fi
}

cleanup() {
    stop_server
    if [[ -n "$MEILI" ]]; then
        if [[ -n "$MEILI_PID" ]]; then
            kill -TERM "$MEILI_PID" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$MEILI_PID" 2>/dev/null || break
                sleep 0.2
            done
            kill -KILL "$MEILI_PID" 2>/dev/null || true
            wait "$MEILI_PID" 2>/dev/null || true
        else
            # A shared Meilisearch: remove the indexes this run created.
            for uid in $(meili GET "/indexes?limit=1000" 2>/dev/null \
                | jq -r --arg p "$UID_BASE" '.results[]?.uid | select(startswith($p))'); do
                meili DELETE "/indexes/$uid" >/dev/null 2>&1 || true
            done
        fi
    fi
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


ms_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
urlencode() { jq -rn --arg v "$1" '$v | @uri'; }

# Meilisearch calls: meili METHOD PATH [curl args...]
meili() {
    local method=$1 path=$2
    shift 2
    curl -fsS --max-time 120 -X "$method" -H "Authorization: Bearer $MEILI_KEY" \
        -H 'Content-Type: application/json' "$@" "$MEILI$path"
}
# Waits for a Meilisearch task; fails unless it succeeded.
meili_wait() {
    local task=$1 status
    for _ in $(seq 1 6000); do
        status=$(meili GET "/tasks/$task" | jq -r .status) || die "GET /tasks/$task failed"
        case "$status" in
            succeeded) return 0 ;;
            failed | canceled) die "Meilisearch task $task $status: $(meili GET "/tasks/$task" | jq -c .error)" ;;
        esac
        sleep 0.05
    done
    die "Meilisearch task $task did not finish within 5 minutes"
}
# RFC 3339 time -> ns since the epoch.
iso_ns() { date -d "$1" +%s%N; }
# ISO 8601 duration of a task ("PT1.234S", "PT1M2.5S") -> ms.
iso_dur_ms() {
    awk -v d="$1" 'BEGIN {
        sub(/^PT/, "", d); ms = 0
        if (match(d, /[0-9.]+H/)) { ms += substr(d, RSTART, RLENGTH - 1) * 3600000 }
        if (match(d, /[0-9.]+M/)) { ms += substr(d, RSTART, RLENGTH - 1) * 60000 }
        if (match(d, /[0-9.]+S/)) { ms += substr(d, RSTART, RLENGTH - 1) * 1000 }
        printf "%.1f", ms }'
}

# Runs city-portal in the temp dir (no .env of the checkout is read), with only the
# settings given here: portal DATABASE_URL [VAR=value...] -- args...
# It execs, so call it in a subshell: `(portal ...)`, or `portal ... &` (then $! is the
# server itself).
# The key partner secrets would be encrypted with (PostgreSQL requires one).
PARTNER_KEY=$(head -c 32 /dev/urandom | base64)

portal() {
    local db=$1
    shift
    local vars=()
    while [[ $# -gt 0 && "$1" != -- ]]; do
        vars+=("$1")
        shift
    done
    shift
    cd "$TMP" || exit 1
    exec env -u REDIS_URL -u REDIS_KEY_PREFIX -u MEILI_URL -u MEILI_API_KEY -u MEILI_INDEX \
        -u SEARCH_INDEXER -u PUBLIC_URL -u MAX_BODY_BYTES -u CONFIG_FILE -u THEME_DIR \
        -u LISTING_CACHE_MS -u CITY_NAME -u DEFAULT_LOCALE -u TRUST_FORWARDED_FOR \
        DATABASE_URL="$db" LOG=warn ANONYMOUS_REQUESTS_PER_MINUTE=0 REGISTRATIONS_PER_HOUR=1000000 DEMO_DATA=false CITY_TIMEZONE="$TZ_CITY" \
        PARTNER_SECRETS_KEY="$PARTNER_KEY" "${vars[@]}" "$BIN" "$@"
}

# start_server NAME DATABASE_URL [VAR=value...]: the portal on a free port; sets BASE.
start_server() {
    local name=$1 db=$2
    shift 2
    local port
    port=$(free_port "$FIRST_PORT")
    BASE="http://127.0.0.1:$port"
    SERVER_LOG="$TMP/server-$name.log"
    log "starting the portal ($name) on $BASE"
    portal "$db" BIND_ADDR="127.0.0.1:$port" "$@" -- serve </dev/null >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    local start
    start=$(now_ns)
    until curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited during start-up"
        (($(now_ns) - start < START_TIMEOUT * 1000000000)) \
            || die "the server was not ready after ${START_TIMEOUT}s"
        sleep 0.2
    done
}

# ---------------------------------------------------------------------------
# Meilisearch and PostgreSQL: which parts can run
# ---------------------------------------------------------------------------
MEILI_SKIP=""
MEILI_ORIGIN=""
if [[ "${BENCH_PARTS:-}" == 4 ]]; then
    MEILI_SKIP="BENCH_PARTS=4: the database fallback alone"
    log "skipping parts 1-3: $MEILI_SKIP"
elif [[ -n "${BENCH_PARTS:-}" ]]; then
    die "BENCH_PARTS: only 4 (the database fallback alone) or unset (every part) is known"
elif [[ -n "${MEILI_URL:-}" ]]; then
    MEILI="${MEILI_URL%/}"
    MEILI_KEY="${MEILI_API_KEY:-}"
    MEILI_ORIGIN="MEILI_URL from the environment"
    meili GET /health >/dev/null || die "MEILI_URL=$MEILI_URL does not answer /health"
elif command -v meilisearch >/dev/null 2>&1; then
    MEILI_KEY="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    mport=$(free_port $((FIRST_PORT + 50)))
    MEILI="http://127.0.0.1:$mport"
    MEILI_INDEXING_MEMORY="${MEILI_MAX_INDEXING_MEMORY:-2GiB}"
    MEILI_ORIGIN="a private instance of the \`meilisearch\` on PATH (empty temp data dir, loopback, --no-analytics, --max-indexing-memory $MEILI_INDEXING_MEMORY as in docker/compose.yaml)"
    mkdir -p "$TMP/meili"
    log "starting meilisearch on $MEILI"
    # The key goes through the environment, not the command line (ps shows that).
    # Indexing memory as docker/compose.yaml sets it (see there why).
    (cd "$TMP/meili" && MEILI_MASTER_KEY="$MEILI_KEY" exec meilisearch \
        --http-addr "127.0.0.1:$mport" --env development --no-analytics \
        --max-indexing-memory "$MEILI_INDEXING_MEMORY" \
        --db-path "$TMP/meili/data.ms" --dump-dir "$TMP/meili/dumps" \
        --snapshot-dir "$TMP/meili/snapshots") </dev/null >"$TMP/meilisearch.log" 2>&1 &
    MEILI_PID=$!
    for _ in $(seq 1 150); do
        curl -fsS -o /dev/null --max-time 2 "$MEILI/health" 2>/dev/null && break
        kill -0 "$MEILI_PID" 2>/dev/null || break
        sleep 0.2
    done
    meili GET /keys >/dev/null 2>&1 || {
        tail -n 20 "$TMP/meilisearch.log" >&2 || true
        die "meilisearch did not start on $MEILI"
    }
else
    MEILI_SKIP="no Meilisearch: MEILI_URL is not set and there is no \`meilisearch\` on PATH"
    log "skipping parts 1-3: $MEILI_SKIP"
fi
MEILI_V=""
if [[ -n "$MEILI" ]]; then
    MEILI_V=$(meili GET /version | jq -r '.pkgVersion') || die "GET /version of Meilisearch failed"
    log "Meilisearch $MEILI_V ($MEILI_ORIGIN)"
fi

PG_SKIP=""
PG_ORIGIN=""
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

# ---------------------------------------------------------------------------
# Data: generated listings in SQLite
# ---------------------------------------------------------------------------
SQLITE_URL="sqlite://$TMP/bench.db?mode=rwc"
log "generating $LISTINGS listings (seed $SEED) into SQLite"
start=$(now_ns)
(portal "$SQLITE_URL" -- generate-listings --count "$LISTINGS" --seed "$SEED") >"$TMP/generate-sqlite.txt" 2>&1 \
    || die "generate-listings failed: $(tail -n 5 "$TMP/generate-sqlite.txt")"
GEN_SQLITE_S=$(awk -v ms="$(ms_since "$start")" 'BEGIN { printf "%.1f", ms / 1000 }')
TEMPLATES=$(sed -n 's/.* from \([0-9]*\) demo businesses.*/\1/p' "$TMP/generate-sqlite.txt")
log "  $GEN_SQLITE_S s ($TEMPLATES demo businesses as templates)"

# ---------------------------------------------------------------------------
# The queries
# ---------------------------------------------------------------------------
# label | API query string | parameters as JSON (for the Meilisearch body). Coordinates
# are written with 7 decimals, as the portal formats them for Meilisearch.
CENTRE_LAT=60.1699
CENTRE_LNG=24.9384
NEAR="$CENTRE_LAT,$CENTRE_LNG"
NEAR_JSON="[\"$(printf '%.7f' "$CENTRE_LAT")\", \"$(printf '%.7f' "$CENTRE_LNG")\"]"
QUERIES=(
    "words|q=ravintola|{\"q\": \"ravintola\"}"
    "two words|q=sushi%20bar|{\"q\": \"sushi bar\"}"
    "typo|q=resturant|{\"q\": \"resturant\"}"
    "words, open now|q=coffee&open_now=true|{\"q\": \"coffee\", \"open_now\": true}"
    "category, open now|category=food.cafe&open_now=true|{\"category\": \"food.cafe\", \"open_now\": true}"
    "category group, wheelchair|category=health&wheelchair=true|{\"category\": \"health\", \"wheelchair\": true}"
    "words, district|q=hair&district=Kamppi|{\"q\": \"hair\", \"district\": \"Kamppi\"}"
    "near, radius 300 m, by distance|near=$NEAR&radius_m=300&sort=distance|{\"near\": $NEAR_JSON, \"radius_m\": 300, \"sort\": \"distance\"}"
    "words near, by distance|q=pizza&near=$NEAR&sort=distance|{\"q\": \"pizza\", \"near\": $NEAR_JSON, \"sort\": \"distance\"}"
    "English, by name|q=hotel&locale=en&sort=name|{\"q\": \"hotel\", \"locale\": \"en\", \"sort\": \"name\"}"
)

# The open-hours slot of now in the city (search_indexer::document::slot_of).
slot_now() {
    local dow h m
    read -r dow h m < <(TZ=$TZ_CITY date '+%u %H %M')
    echo $(((dow - 1) * 96 + (10#$h * 60 + 10#$m) / 15))
}

# The Meilisearch request bodies of a query, as search_indexer::search::search builds
# them: the main query, and the open-now count (null when the query filters by it).
# meili_bodies PARAMS_JSON SLOT -> {"main": {...}, "open": {...} | null}
meili_bodies() {
    jq -c --argjson slot "$2" '
      def quote: "\"" + (gsub("\\\\"; "\\\\") | gsub("\""; "\\\"")) + "\"";
      def parts($open):
        [ (if .category then "(categories = \(.category | quote) OR category_groups = \(.category | quote))" else empty end),
          (if .district then "district = \(.district | quote)" else empty end),
          (if .wheelchair then "wheelchair = \"yes\"" else empty end),
          (if $open and .open_now then "open_slots = \($slot)" else empty end),
          (if .near and .radius_m then "_geoRadius(\(.near[0]), \(.near[1]), \(.radius_m))" else empty end) ];
      def filter($open): parts($open) | if length > 0 then join(" AND ") else null end;
      (.locale // "de") as $l
      | (if $l == "en" then "eng" else "deu" end) as $ml
      | (if (.sort // "relevance") == "relevance" then "last" else "all" end) as $strategy
      | (if .sort == "distance" then ["_geoPoint(\(.near[0]), \(.near[1])):asc"]
         elif .sort == "name" then ["name_sort_\($l):asc"] else null end) as $sort
      | {
          main: ({
            q: (.q // ""), offset: 0, limit: 20, filter: filter(true),
            facets: ["kind", "categories", "district", "wheelchair"], sort: $sort,
            attributesToRetrieve: ["id", "kind", "slug", "name_de", "name_en", "categories",
              "district", "street", "wheelchair", "_geo", "description_\($l)"],
            attributesToCrop: ["description_\($l):24"], cropMarker: "…",
            attributesToHighlight: ["name_\($l)"],
            highlightPreTag: "\ue000", highlightPostTag: "\ue001",
            matchingStrategy: $strategy, locales: [$ml]
          } | with_entries(select(.value != null))),
          open: (if .open_now then null else ({
            q: (.q // ""), limit: 0,
            filter: ([filter(false) // empty, "open_slots = \($slot)"] | join(" AND ")),
            matchingStrategy: $strategy, locales: [$ml]
          }) end)
        }' <<<"$1"
}

# wrk Lua: rotates through the requests of a file (one per line: a path for GET, or a
# JSON body for POST), staggered per thread; counts non-200 answers, answers of the
# database engine and Meilisearch's processingTimeMs; prints one RESULT and one
# PROCESSING line at the end.
write_lua() { # write_lua OUT.lua REQUESTS_FILE get|post [POST path]
    local out=$1 file=$2 mode=$3 path=${4:-}
    {
        echo "local items = {}"
        while IFS= read -r line; do
            [[ "$line" != *"]==]"* ]] || die "a request contains ]==]"
            printf 'items[#items + 1] = [==[%s]==]\n' "$line"
        done <"$file"
        if [[ "$mode" == post ]]; then
            printf 'local path = [==[%s]==]\n' "$path"
            printf 'local headers = { ["Content-Type"] = "application/json", ["Authorization"] = [==[Bearer %s]==] }\n' "$MEILI_KEY"
            echo 'local function make(item) return wrk.format("POST", path, headers, item) end'
        else
            echo 'local function make(item) return wrk.format("GET", item) end'
        fi
        cat <<'LUA'
local threads = {}
local count = 0
function setup(thread)
  count = count + 1
  thread:set("first", count)
  table.insert(threads, thread)
end
pt = {}
database_answers = 0
non200 = 0
local reqs, n
function init(args)
  reqs = {}
  for k, item in ipairs(items) do reqs[k] = make(item) end
  n = ((first or 1) * 3) % #reqs
end
function request()
  n = n % #reqs + 1
  return reqs[n]
end
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 return end
  if body:find('"engine":"database"', 1, true) then database_answers = database_answers + 1 end
  local v = body:match('"processingTimeMs":(%d+)')
  if v then v = tonumber(v) pt[v] = (pt[v] or 0) + 1 end
end
function done(summary, latency, requests)
  local hist, total, sum, db, bad = {}, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    for k, c in pairs(t:get("pt")) do hist[k] = (hist[k] or 0) + c total = total + c sum = sum + k * c end
    db = db + t:get("database_answers")
    bad = bad + t:get("non200")
  end
  local keys = {}
  for k in pairs(hist) do keys[#keys + 1] = k end
  table.sort(keys)
  local function q(p)
    if total == 0 then return -1 end
    local need, acc = math.ceil(total * p / 100), 0
    for _, k in ipairs(keys) do acc = acc + hist[k] if acc >= need then return k end end
    return keys[#keys]
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d socket_errors=%d timeouts=%d non200=%d database_answers=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.connect + e.read + e.write, e.timeout, bad, db))
  io.write(string.format("PROCESSING n=%d mean=%.2f p50=%d p99=%d max=%d\n", total, total > 0 and sum / total or -1, q(50), q(99), keys[#keys] or -1))
end
LUA
    } >"$out"
}

# run_wrk NAME LUA BASE DURATION -> sets W_RPS W_P50 W_P90 W_P99 W_MAX (ms), W_DB, W_PT_*
run_wrk() {
    local name=$1 lua=$2 base=$3 dur=$4 out="$TMP/wrk-$1.txt"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$dur" --timeout 60s -s "$lua" "$base" >"$out" 2>&1 \
        || die "wrk failed ($name): $(cat "$out")"
    local r p
    r=$(grep '^RESULT ' "$out") || die "no RESULT line from wrk ($name): $(cat "$out")"
    p=$(grep '^PROCESSING ' "$out") || die "no PROCESSING line from wrk ($name)"
    val() { sed -n "s/.* $1=\([-0-9.]*\).*/\1/p" <<<" $2"; }
    local req dur_us non200 errors timeouts
    req=$(val requests "$r")
    dur_us=$(val duration_us "$r")
    non200=$(val non200 "$r")
    errors=$(val socket_errors "$r")
    timeouts=$(val timeouts "$r")
    ((req > 0)) || die "wrk ($name) made no requests: $(cat "$out")"
    ((non200 == 0)) || die "$name: $non200 answers were not 200: $(cat "$out")"
    ((errors == 0 && timeouts == 0)) || die "$name: $errors socket errors, $timeouts timeouts: $(cat "$out")"
    W_REQ=$req
    W_RPS=$(awk -v n="$req" -v us="$dur_us" 'BEGIN { printf "%.0f", n / (us / 1e6) }')
    ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
    W_P50=$(ms "$(val p50_us "$r")")
    W_P90=$(ms "$(val p90_us "$r")")
    W_P99=$(ms "$(val p99_us "$r")")
    W_MAX=$(ms "$(val max_us "$r")")
    W_DB=$(val database_answers "$r")
    W_PT_N=$(val n "$p")
    W_PT_MEAN=$(val mean "$p")
    W_PT_P50=$(val p50 "$p")
    W_PT_P99=$(val p99 "$p")
    W_PT_MAX=$(val max "$p")
}

warm() { # warm LUA BASE
    if [[ "$WARMUP" != 0 && "$WARMUP" != 0s ]]; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout 60s -s "$1" "$2" >/dev/null 2>&1 \
            || die "wrk failed (warm-up)"
    fi
}

# The API paths of the queries.
: >"$TMP/api-paths.txt"
for qd in "${QUERIES[@]}"; do
    IFS='|' read -r _ query _ <<<"$qd"
    echo "/api/v1/search?$query" >>"$TMP/api-paths.txt"
done
write_lua "$TMP/api.lua" "$TMP/api-paths.txt" get

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "?"; else printf "%.1f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
pct() { # pct P < numbers: nearest-rank percentile
    sort -n | awk -v p="$1" '{ a[NR] = $1 } END { if (NR == 0) { print "?"; exit } i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.1f", a[i] }'
}
# SAMPLES sequential GETs of the portal: sets SEQ_MS (median ms) and SEQ_TOTAL (the
# estimated_total of the answer).
seq_get() {
    local times
    times=$(for _ in $(seq 1 "$SAMPLES"); do
        curl -fsS -o "$TMP/seq-get.json" -w '%{time_total}\n' --max-time 120 "$1" || die "GET $1 failed"
    done)
    SEQ_MS=$(awk '{ print $1 * 1000 }' <<<"$times" | median)
    SEQ_TOTAL=$(jq .estimated_total "$TMP/seq-get.json")
}

declare -A PQ_TOTAL PQ_PORTAL PQ_DIRECT PQ_PT PQ_SQLITE PQ_SQLITE_N PQ_PG PQ_PG_N

# ---------------------------------------------------------------------------
# 3. Reindex vs. a direct bulk add (first: it fills the index the other parts use)
# ---------------------------------------------------------------------------
LIVE="$UID_BASE"
DIRECT="${UID_BASE}_direct"
declare -a REINDEX_ROWS=()
REINDEX_SUM_S=0
REINDEX_N=0
reindex_run() { # reindex_run ROUND
    local since start end out wall docs tasks first_enq last_enq last_fin
    since=$(date -u -d "@$(($(date +%s) - 1))" '+%Y-%m-%dT%H:%M:%SZ')
    out="$TMP/reindex-$1.txt"
    log "reindex run $1: city-portal reindex ($LISTINGS listings)"
    start=$(now_ns)
    (portal "$SQLITE_URL" MEILI_URL="$MEILI" MEILI_API_KEY="$MEILI_KEY" MEILI_INDEX="$LIVE" \
        -- reindex) </dev/null >"$out" 2>&1 || die "city-portal reindex failed: $(tail -n 5 "$out")"
    end=$(now_ns)
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    docs=$(sed -n 's/^reindexed \([0-9]*\) listings.*/\1/p' "$out")
    [[ "$docs" == "$LISTINGS" ]] || die "reindex reported '${docs:-?}' documents, expected $LISTINGS: $(cat "$out")"
    # Meilisearch's view: the document tasks of the rebuild index (the swap renamed
    # them to the live index in the task history).
    tasks=$(meili GET "/tasks?types=documentAdditionOrUpdate&afterEnqueuedAt=$since&limit=1000" \
        | jq -c --arg live "$LIVE" '[.results[] | select(.indexUid == $live or (.indexUid | startswith($live + "_rebuild_")))]') \
        || die "GET /tasks failed"
    [[ $(jq length <<<"$tasks") -gt 0 ]] || die "no document tasks of the reindex in GET /tasks"
    first_enq=$(jq -r 'min_by(.enqueuedAt).enqueuedAt' <<<"$tasks")
    last_enq=$(jq -r 'max_by(.enqueuedAt).enqueuedAt' <<<"$tasks")
    last_fin=$(jq -r 'max_by(.finishedAt).finishedAt' <<<"$tasks")
    local n_tasks meili_span sent_span
    n_tasks=$(jq length <<<"$tasks")
    meili_span=$(awk -v a="$(iso_ns "$first_enq")" -v b="$(iso_ns "$last_fin")" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    sent_span=$(awk -v a="$(iso_ns "$first_enq")" -v b="$(iso_ns "$last_enq")" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    local rate after
    rate=$(awk -v n="$docs" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
    after=$(awk -v a="$(iso_ns "$last_fin")" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    log "  $wall s, $rate documents/s ($n_tasks tasks; Meilisearch busy ${meili_span}s from the first chunk)"
    local how="\`city-portal reindex\`"
    [[ $1 != 2 ]] || how="$how (over the existing index)"
    REINDEX_ROWS+=("| $2 | $how | $docs | $wall | **$rate** | $n_tasks chunks enqueued over ${sent_span} s; first chunk enqueued → last finished: ${meili_span} s; then ${after} s to the end (swap, old index deleted) |")
    REINDEX_SUM_S=$(awk -v a="$REINDEX_SUM_S" -v b="$wall" 'BEGIN { print a + b }')
    REINDEX_N=$((REINDEX_N + 1))
}
direct_run() {
    local start wall create settings task last n_docs failed first_enq last_enq last_fin meili_span sent_span rate
    log "direct bulk add: the same documents, $CHUNK per request, into a fresh index"
    if meili GET "/indexes/$DIRECT" >/dev/null 2>&1; then
        meili_wait "$(meili DELETE "/indexes/$DIRECT" | jq .taskUid)"
    fi
    start=$(now_ns)
    create=$(meili POST /indexes -d "{\"uid\": \"$DIRECT\", \"primaryKey\": \"id\"}" | jq .taskUid) \
        || die "creating the index $DIRECT failed"
    meili_wait "$create"
    settings=$(meili PATCH "/indexes/$DIRECT/settings" --data-binary "@$TMP/settings.json" | jq .taskUid) \
        || die "PATCH settings of $DIRECT failed"
    meili_wait "$settings"
    local first=""
    for f in "$TMP"/docs/*.json; do
        task=$(meili POST "/indexes/$DIRECT/documents?primaryKey=id" --data-binary "@$f" | jq .taskUid) \
            || die "POST documents ($f) failed"
        first=${first:-$task}
        last=$task
    done
    meili_wait "$last"
    wall=$(awk -v ms="$(ms_since "$start")" 'BEGIN { printf "%.2f", ms / 1000 }')
    failed=$(meili GET "/tasks?indexUids=$DIRECT&statuses=failed&limit=1" | jq '.total // (.results | length)')
    [[ "$failed" == 0 ]] || die "$failed tasks of the direct bulk add failed"
    n_docs=$(meili GET "/indexes/$DIRECT/stats" | jq .numberOfDocuments)
    [[ "$n_docs" == "$LISTINGS" ]] || die "the direct index holds $n_docs documents, expected $LISTINGS"
    first_enq=$(meili GET "/tasks/$first" | jq -r .enqueuedAt)
    last_enq=$(meili GET "/tasks/$last" | jq -r .enqueuedAt)
    last_fin=$(meili GET "/tasks/$last" | jq -r .finishedAt)
    sent_span=$(awk -v a="$(iso_ns "$first_enq")" -v b="$(iso_ns "$last_enq")" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    meili_span=$(awk -v a="$(iso_ns "$first_enq")" -v b="$(iso_ns "$last_fin")" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    rate=$(awk -v n="$n_docs" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
    DIRECT_S=$wall
    DIRECT_RATE=$rate
    log "  $wall s, $rate documents/s (Meilisearch busy ${meili_span}s from the first chunk)"
    REINDEX_ROWS+=("| 2 | direct bulk add (\`POST /indexes\`, \`PATCH …/settings\`, \`POST …/documents\` × $(ls "$TMP"/docs/*.json | wc -l), wait for the last task) | $n_docs | $wall | **$rate** | $(ls "$TMP"/docs/*.json | wc -l) chunks enqueued over ${sent_span} s; first chunk enqueued → last finished: ${meili_span} s |")
    meili_wait "$(meili DELETE "/indexes/$DIRECT" | jq .taskUid)"
}

if [[ -n "$MEILI" ]]; then
    reindex_run 1 1
    # The documents as the reindex built them, read back in chunks of CHUNK, and the
    # settings it applied.
    log "reading the $LISTINGS documents back (documents API, $CHUNK per request)"
    mkdir -p "$TMP/docs"
    for ((off = 0; off < LISTINGS; off += CHUNK)); do
        meili GET "/indexes/$LIVE/documents?limit=$CHUNK&offset=$off" | jq -c '.results' \
            >"$TMP/docs/$(printf '%09d' "$off").json" || die "reading documents at offset $off failed"
    done
    n=$(cat "$TMP"/docs/*.json | jq -s 'map(length) | add')
    [[ "$n" == "$LISTINGS" ]] || die "read $n documents back, expected $LISTINGS"
    meili GET "/indexes/$LIVE/settings" >"$TMP/settings.json" || die "GET settings failed"
    direct_run
    reindex_run 2 3
    REINDEX_MEAN_S=$(awk -v s="$REINDEX_SUM_S" -v n="$REINDEX_N" 'BEGIN { printf "%.2f", s / n }')
    REINDEX_RATE=$(awk -v n="$LISTINGS" -v s="$REINDEX_MEAN_S" 'BEGIN { printf "%.0f", n / s }')
    REINDEX_RATIO=$(awk -v a="$REINDEX_RATE" -v b="$DIRECT_RATE" 'BEGIN { printf "%.2f", a / b }')
    rm -rf "$TMP/docs"
fi

# freshness TAG CHANGES: against the portal at $BASE and its index $FR_INDEX, an owner
# (registered with an organization) creates and publishes a listing, then renames it
# to a new unique word CHANGES times, waiting each time until the word finds it through
# /api/v1/search and directly. Per change, one line of ms in $TMP/fresh-TAG.txt: via
# the API, direct, PUT sent → task enqueued, queued, task, task finished → seen, PUT
# sent → answered; the task's indexing steps of 10 ms or more in
# $TMP/fresh-steps-TAG.txt.
freshness() {
    # 2. Freshness: an owner renames a published listing to a unique word, again and again.
    log "freshness ($1): $2 changes of a published listing's name"
    JAR="$TMP/cookies-$1.txt"
    api() { # api METHOD PATH [curl args...] -> body; fails on non-2xx
        local method=$1 path=$2
        shift 2
        curl -fsS --max-time 30 -b "$JAR" -c "$JAR" -X "$method" -H 'Content-Type: application/json' "$@" "$BASE$path"
    }
    email="bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')@example.org"
    api POST /api/v1/accounts/register \
        -d "{\"email\": \"$email\", \"password\": \"correct horse battery staple\", \"display_name\": \"Bench Owner\"}" \
        >/dev/null || die "register failed"
    org=$(api POST /api/v1/organizations -d '{"name": "Benchmark Oy"}' | jq -r .id) || die "creating an organization failed"
    fields() { # fields NAME -> the editable fields of the listing
        jq -nc --arg name "$1" '{
            name: {de: $name, en: $name},
            description: {de: "Frisches Brot jeden Tag.", en: "Fresh bread every day."},
            categories: ["food.bakery"], tags: ["brot", "bread"],
            address: {street: "Aleksanterinkatu 1", postcode: "00100", city: "Helsinki"},
            district: "Kluuvi", location: {lat: 60.1690, lng: 24.9450},
            wheelchair: "yes", languages: ["de", "en"],
            opening_hours: {weekly: [{weekday: "mo", opens: "07:00", closes: "18:00"}], exceptions: []}
        }'
    }
    token() { echo "fr$(od -An -N10 -tu1 /dev/urandom | awk '{ for (i = 1; i <= NF; i++) printf "%c", 97 + $i % 26 }')"; }
    tok=$(token)
    created=$(api POST /api/v1/listings -d "$(fields "Backstube $tok" | jq -c --arg org "$org" '. + {kind: "business", organization_id: $org}')") \
        || die "creating a listing failed"
    LID=$(jq -r .id <<<"$created")
    api POST "/api/v1/listings/$LID/publish" -H 'If-Match: "1"' >/dev/null || die "publishing failed"
    version=2
    # found_api TOKEN / found_direct TOKEN: whether the word finds the listing now.
    found_api() {
        local r
        r=$(curl -fsS --max-time 10 "$BASE/api/v1/search?q=$1&per_page=5") || return 1
        [[ "$r" == *'"engine":"meilisearch"'* && "$r" == *"$LID"* && "$r" == *"$1"* ]]
    }
    found_direct() {
        local r
        r=$(curl -fsS --max-time 10 -X POST -H "Authorization: Bearer $MEILI_KEY" -H 'Content-Type: application/json' \
            --data-binary "{\"q\": \"$1\", \"limit\": 5, \"attributesToRetrieve\": [\"id\", \"name_de\"]}" \
            "$MEILI/indexes/$FR_INDEX/search") || return 1
        [[ "$r" == *"$LID"* && "$r" == *"$1"* ]]
    }
    # Waits until the word is found both ways; sets T_API T_DIRECT (ns).
    wait_found() { # wait_found TOKEN SINCE_NS
        T_API=""
        T_DIRECT=""
        while [[ -z "$T_API" || -z "$T_DIRECT" ]]; do
            (($(now_ns) - $2 < 30000000000)) || die "'$1' was not searchable 30 s after the change"
            [[ -n "$T_DIRECT" ]] || { found_direct "$1" && T_DIRECT=$(now_ns); }
            [[ -n "$T_API" ]] || { found_api "$1" && T_API=$(now_ns); }
            [[ -n "$T_API" && -n "$T_DIRECT" ]] || sleep 0.005
        done
    }
    wait_found "$tok" "$(now_ns)" # the published listing, before the measured changes
    : >"$TMP/fresh-$1.txt"
    : >"$TMP/fresh-steps-$1.txt"
    for c in $(seq 1 "$2"); do
        tok=$(token)
        body=$(fields "Backstube $tok")
        ts=$(now_ns)
        api PUT "/api/v1/listings/$LID" -H "If-Match: \"$version\"" -d "$body" >/dev/null \
            || die "PUT /api/v1/listings/$LID failed (change $c)"
        t0=$(now_ns)
        version=$((version + 1))
        wait_found "$tok" "$t0"
        # Meilisearch's task of this change: the first succeeded document task of the
        # index enqueued after the PUT was sent (the one that made the word findable).
        since=$(date -u -d "@$((ts / 1000000000 - 1))" '+%Y-%m-%dT%H:%M:%SZ')
        tasks=$(meili GET "/tasks?indexUids=$FR_INDEX&types=documentAdditionOrUpdate&statuses=succeeded&afterEnqueuedAt=$since&limit=50" \
            | jq -r '.results | sort_by(.uid) | .[] | "\(.enqueuedAt) \(.startedAt) \(.finishedAt) \(.batchUid)"') \
            || die "GET /tasks failed"
        enq=""
        while read -r e_iso s_iso f_iso b_uid; do
            [[ -n "$e_iso" ]] || continue
            e_ns=$(iso_ns "$e_iso")
            if ((e_ns >= ts)); then
                enq=$e_ns
                sta=$(iso_ns "$s_iso")
                fin=$(iso_ns "$f_iso")
                batch=$b_uid
                break
            fi
        done <<<"$tasks"
        [[ -n "$enq" ]] || die "change $c: no succeeded Meilisearch task enqueued after the change"
        # Where Meilisearch spent the task: its batch's progressTrace (Meilisearch >= 1.13)
        # names each indexing step with its duration ("888.28ms", "1.48s", "65.57µs").
        # The steps that took 10 ms or more are kept per change, in ms.
        meili GET "/batches/$batch" | jq -r '.stats.progressTrace // {} | to_entries[]
            | (.value | capture("^(?<n>[0-9.]+)(?<u>[a-zµ]+)$")) as $d
            | {k: .key, ms: (($d.n | tonumber) * ({"s": 1000, "ms": 1, "µs": 0.001, "ns": 0.000001}[$d.u] // 0))}
            | select(.ms >= 10) | "\(.ms)\t\(.k)"' >>"$TMP/fresh-steps-$1.txt" \
            || die "GET /batches/$batch failed"
        # total via API, total direct, PUT sent→enqueued, queued, task, finished→seen,
        # PUT sent→answered (ms)
        awk -v ts="$ts" -v t0="$t0" -v a="$T_API" -v d="$T_DIRECT" -v e="$enq" -v s="$sta" -v f="$fin" \
            'BEGIN { printf "%.1f %.1f %.1f %.1f %.1f %.1f %.1f\n", (a - t0) / 1e6, (d - t0) / 1e6, (e - ts) / 1e6, (s - e) / 1e6, (f - s) / 1e6, (d - f) / 1e6, (t0 - ts) / 1e6 }' \
            >>"$TMP/fresh-$1.txt"
        log "  change $c: searchable after $(awk -v t0="$t0" -v a="$T_API" 'BEGIN { printf "%.0f", (a - t0) / 1e6 }') ms (Meilisearch task $(awk -v s="$sta" -v f="$fin" 'BEGIN { printf "%.0f", (f - s) / 1e6 }') ms)"
        sleep 0.1
    done
}

# ---------------------------------------------------------------------------
# 1. Through the portal vs. directly, and 2. freshness (portal with Meilisearch)
# ---------------------------------------------------------------------------
declare -a LOAD_ROWS=() FRESH_ROWS=()
if [[ -n "$MEILI" ]]; then
    start_server meili "$SQLITE_URL" MEILI_URL="$MEILI" MEILI_API_KEY="$MEILI_KEY" MEILI_INDEX="$LIVE"
    curl -fsS --max-time 10 "$BASE/readyz" | jq -e '.checks.meilisearch.status == "ok"' >/dev/null \
        || die "/readyz does not report Meilisearch ok: $(curl -sS "$BASE/readyz")"

    # Bodies for the direct runs, built for the slot of now; checked against the portal.
    build_bodies() {
        local slot
        slot=$(slot_now)
        : >"$TMP/direct-main.txt"
        : >"$TMP/direct-multi.txt"
        for qd in "${QUERIES[@]}"; do
            IFS='|' read -r _ _ params <<<"$qd"
            b=$(meili_bodies "$params" "$slot")
            jq -c '.main' <<<"$b" >>"$TMP/direct-main.txt"
            jq -c --arg uid "$LIVE" '{queries: ([.main, .open] | map(select(. != null) | . + {indexUid: $uid}))}' <<<"$b" \
                >>"$TMP/direct-multi.txt"
        done
        write_lua "$TMP/direct.lua" "$TMP/direct-main.txt" post "/indexes/$LIVE/search"
        write_lua "$TMP/multi.lua" "$TMP/direct-multi.txt" post "/multi-search"
    }
    build_bodies
    log "checking that the direct queries are the portal's (same hits, totals and open-now counts)"
    i=0
    for qd in "${QUERIES[@]}"; do
        IFS='|' read -r label query params <<<"$qd"
        i=$((i + 1))
        api=$(curl -fsS --max-time 30 "$BASE/api/v1/search?$query") || die "GET /api/v1/search?$query failed"
        [[ $(jq -r .engine <<<"$api") == meilisearch ]] || die "$label: the portal did not answer from Meilisearch: $api"
        multi=$(meili POST /multi-search --data-binary "$(sed -n "${i}p" "$TMP/direct-multi.txt")") \
            || die "$label: POST /multi-search failed"
        direct=$(jq -c '.results[0]' <<<"$multi")
        a=$(jq -c '[.hits[].id]' <<<"$api")
        d=$(jq -c '[.hits[].id]' <<<"$direct")
        [[ "$a" == "$d" ]] || die "$label: the direct query finds other hits than the portal ($a vs $d)"
        at=$(jq .estimated_total <<<"$api")
        dt=$(jq .estimatedTotalHits <<<"$direct")
        [[ "$at" == "$dt" ]] || die "$label: totals differ (portal $at, direct $dt)"
        if [[ $(jq '.results | length' <<<"$multi") == 2 ]]; then
            open_api=$(jq .facets.open_now <<<"$api")
            open_direct=$(jq '.results[1].estimatedTotalHits' <<<"$multi")
            [[ "$open_api" == "$open_direct" ]] || die "$label: open-now counts differ (portal $open_api, direct $open_direct)"
        fi
        ((at > 0)) || log "  note: '$label' finds nothing"
        PQ_TOTAL[$i]=$at
    done

    # 1. Load, alternating: portal, direct, multi-search; twice.
    LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    log "warm-up $WARMUP per route"
    warm "$TMP/api.lua" "$BASE"
    warm "$TMP/direct.lua" "$MEILI"
    warm "$TMP/multi.lua" "$MEILI"
    declare -A SUM_P99 SUM_P50 N_RUNS
    PT_ALL=""
    run_no=0
    for round in 1 2; do
        build_bodies
        for route in api direct multi; do
            run_no=$((run_no + 1))
            case $route in
                api) label="portal: \`GET /api/v1/search\`"; lua="$TMP/api.lua"; base="$BASE" ;;
                direct) label="Meilisearch direct, the main query alone: \`POST /indexes/<uid>/search\`"; lua="$TMP/direct.lua"; base="$MEILI" ;;
                multi) label="Meilisearch direct, the portal's queries: \`POST /multi-search\` (main query + open-now count, as the portal sends them)"; lua="$TMP/multi.lua"; base="$MEILI" ;;
            esac
            log "run $run_no: $route, round $round ($DURATION, $CONNECTIONS connections)"
            run_wrk "$route-$round" "$lua" "$base" "$DURATION"
            log "  $W_RPS req/s, p50 $W_P50 ms, p99 $W_P99 ms$([[ $route != api ]] && echo ", processingTimeMs mean $W_PT_MEAN p99 $W_PT_P99")"
            SUM_P99[$route]=$(awk -v a="${SUM_P99[$route]:-0}" -v b="$W_P99" 'BEGIN { print a + b }')
            SUM_P50[$route]=$(awk -v a="${SUM_P50[$route]:-0}" -v b="$W_P50" 'BEGIN { print a + b }')
            N_RUNS[$route]=$((${N_RUNS[$route]:-0} + 1))
            pt="—"
            if [[ $route != api ]]; then
                pt="mean $W_PT_MEAN, p50 $W_PT_P50, p99 $W_PT_P99, max $W_PT_MAX (n=$W_PT_N)"
                [[ $route == direct ]] && PT_ALL="$PT_ALL $W_PT_MEAN:$W_PT_P99"
            fi
            db="—"
            [[ $route == api ]] && db="$W_DB"
            LOAD_ROWS+=("| $run_no | $label | $round | $W_RPS | $W_P50 | $W_P90 | $W_P99 | $W_MAX | $pt | $db |")
            [[ $route != api || "$W_DB" == 0 ]] || log "  warning: $W_DB answers came from the database (circuit breaker)"
            [[ $route != api ]] || API_DB_ANSWERS=$((${API_DB_ANSWERS:-0} + W_DB))
        done
    done
    LOADAVG_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
    mean_of() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.2f", s / n }'; }
    API_P99=$(mean_of "${SUM_P99[api]}" "${N_RUNS[api]}")
    DIRECT_P99=$(mean_of "${SUM_P99[direct]}" "${N_RUNS[direct]}")
    MULTI_P99=$(mean_of "${SUM_P99[multi]}" "${N_RUNS[multi]}")
    API_P50=$(mean_of "${SUM_P50[api]}" "${N_RUNS[api]}")
    DIRECT_P50=$(mean_of "${SUM_P50[direct]}" "${N_RUNS[direct]}")
    MULTI_P50=$(mean_of "${SUM_P50[multi]}" "${N_RUNS[multi]}")
    P99_RATIO=$(awk -v a="$API_P99" -v b="$DIRECT_P99" 'BEGIN { printf "%.2f", a / b }')
    P99_RATIO_MULTI=$(awk -v a="$API_P99" -v b="$MULTI_P99" 'BEGIN { printf "%.2f", a / b }')
    PT_MEAN=$(tr ' ' '\n' <<<"$PT_ALL" | grep . | cut -d: -f1 | awk '{ s += $1 } END { printf "%.2f", s / NR }')
    PT_P99=$(tr ' ' '\n' <<<"$PT_ALL" | grep . | cut -d: -f2 | sort -n | tail -n 1)

    # Per query, sequentially.
    log "per query: $SAMPLES sequential requests to the portal and to Meilisearch"
    i=0
    for qd in "${QUERIES[@]}"; do
        IFS='|' read -r _ query _ <<<"$qd"
        i=$((i + 1))
        seq_get "$BASE/api/v1/search?$query"
        PQ_PORTAL[$i]=$SEQ_MS
        body=$(sed -n "${i}p" "$TMP/direct-main.txt")
        : >"$TMP/seq.txt"
        for _ in $(seq 1 "$SAMPLES"); do
            curl -fsS --max-time 60 -o "$TMP/seq.json" -w '%{time_total}\n' -X POST \
                -H "Authorization: Bearer $MEILI_KEY" -H 'Content-Type: application/json' \
                --data-binary "$body" "$MEILI/indexes/$LIVE/search" >>"$TMP/seq.txt" || die "direct search failed"
            jq .processingTimeMs "$TMP/seq.json" >>"$TMP/seq-pt.txt"
        done
        PQ_DIRECT[$i]=$(awk '{ print $1 * 1000 }' "$TMP/seq.txt" | median)
        PQ_PT[$i]=$(median <"$TMP/seq-pt.txt")
        rm -f "$TMP/seq-pt.txt"
    done

    FR_INDEX="$LIVE"
    freshness main "$CHANGES"
    col() { awk -v c="$1" '{ print $c }' "$TMP/fresh-main.txt"; }
    FRESH_API_P50=$(col 1 | pct 50)
    FRESH_API_P99=$(col 1 | pct 99)
    FRESH_DIRECT_P50=$(col 2 | pct 50)
    FRESH_DIRECT_P99=$(col 2 | pct 99)
    # Not in Meilisearch: from sending the PUT until found through the API, less
    # Meilisearch's queue and task.
    awk '{ print $1 + $7 - $4 - $5 }' "$TMP/fresh-main.txt" >"$TMP/fresh-portal.txt"
    FRESH_PORTAL_P50=$(pct 50 <"$TMP/fresh-portal.txt")
    FRESH_PORTAL_P99=$(pct 99 <"$TMP/fresh-portal.txt")
    FRESH_TASK_P50=$(col 5 | pct 50)
    FRESH_TASK_P99=$(col 5 | pct 99)
    frow() { # frow LABEL COLUMN|FILE
        local data
        if [[ "$2" =~ ^[0-9]+$ ]]; then data=$(col "$2"); else data=$(cat "$2"); fi
        echo "| $1 | $(pct 50 <<<"$data") | $(pct 90 <<<"$data") | $(pct 99 <<<"$data") | $(sort -n <<<"$data" | tail -n 1) |"
    }
    FRESH_ROWS+=("$(frow "**change → searchable through \`/api/v1/search\`** (from the answer to the \`PUT\`)" 1)")
    FRESH_ROWS+=("$(frow "change → searchable directly in Meilisearch" 2)")
    FRESH_ROWS+=("$(frow "the \`PUT\` itself: sent → answered (as seen by this script)" 7)")
    FRESH_ROWS+=("$(frow "portal: \`PUT\` sent → Meilisearch task enqueued (the write, the outbox consumer woken, the document read, built and sent)" 3)")
    FRESH_ROWS+=("$(frow "Meilisearch: task enqueued → started" 4)")
    FRESH_ROWS+=("$(frow "**Meilisearch: task started → finished** (its own duration)" 5)")
    # The task's indexing steps that took >= 10 ms in at least one change (from the
    # batches' progressTrace; a change where a step stayed under 10 ms counts as 0).
    while IFS= read -r step; do
        awk -F'\t' -v k="$step" '$2 == k { print $1 }' "$TMP/fresh-steps-main.txt" >"$TMP/fresh-step.txt"
        for _ in $(seq "$(wc -l <"$TMP/fresh-step.txt")" $((CHANGES - 1))); do echo 0; done >>"$TMP/fresh-step.txt"
        FRESH_ROWS+=("$(frow "of which the step \"${step#processing tasks > indexing > }\" (its batch's \`progressTrace\`)" "$TMP/fresh-step.txt")")
    done < <(awk -F'\t' '$2 ~ /^processing tasks > indexing > [^>]*$/ { print $2 }' "$TMP/fresh-steps-main.txt" | sort -u)
    FRESH_ROWS+=("$(frow "poll: task finished → seen directly (this script's polling, ~10 ms)" 6)")
    FRESH_ROWS+=("$(frow "the portal's share: from sending the \`PUT\` until found through \`/api/v1/search\`, less Meilisearch's queue and task (includes the polling interval)" "$TMP/fresh-portal.txt")")
    stop_server
fi

# ---------------------------------------------------------------------------
# 2b. Freshness by index size
# ---------------------------------------------------------------------------
declare -a SCALE_ROWS=() SCALE_SUMMARY=()
if [[ -n "$MEILI" && -n "${FRESH_SIZES// /}" ]]; then
    for size in $FRESH_SIZES; do
        [[ "$size" == city || "$size" =~ ^[1-9][0-9]*$ ]] || die "BENCH_FRESH_SIZES: '$size' is not city or a number"
        db="sqlite://$TMP/fresh-$size.db?mode=rwc"
        FR_INDEX="${UID_BASE}_fresh_$size"
        meili_vars=(MEILI_URL="$MEILI" MEILI_API_KEY="$MEILI_KEY" MEILI_INDEX="$FR_INDEX")
        if [[ "$size" == city ]]; then
            what="the demo city (its OpenStreetMap businesses and the city's services)"
            start_server "fresh-$size" "$db" DEMO_DATA=true "${meili_vars[@]}"
        else
            what="$size generated listings (seed $SEED)"
            log "2b: generating $size listings"
            (portal "$db" -- generate-listings --count "$size" --seed "$SEED") >"$TMP/generate-$size.txt" 2>&1 \
                || die "generate-listings failed: $(tail -n 5 "$TMP/generate-$size.txt")"
            start_server "fresh-$size" "$db" "${meili_vars[@]}"
        fi
        # Every published listing into the index (generated ones bypass the outbox).
        (portal "$db" "${meili_vars[@]}" -- reindex) </dev/null >"$TMP/reindex-fresh-$size.txt" 2>&1 \
            || die "city-portal reindex failed: $(tail -n 5 "$TMP/reindex-fresh-$size.txt")"
        docs=$(meili GET "/indexes/$FR_INDEX/stats" | jq .numberOfDocuments) || die "GET stats of $FR_INDEX failed"
        freshness "s$size" "$SCALE_CHANGES"
        stop_server
        meili DELETE "/indexes/$FR_INDEX" >/dev/null || true
        f="$TMP/fresh-s$size.txt"
        geo=$(awk -F'\t' '$2 ~ /writing geo points$/ { print $1 }' "$TMP/fresh-steps-s$size.txt")
        geo_n=$(grep -c . <<<"$geo" || true)
        # Changes whose geo step stayed under 10 ms count as 0 (see part 2).
        geo_p50=$( { [[ -n "$geo" ]] && echo "$geo"; for _ in $(seq "$((geo_n + 1))" "$SCALE_CHANGES"); do echo 0; done; } | pct 50)
        p99=$(awk '{ print $1 }' "$f" | pct 99)
        SCALE_ROWS+=("| $what | $docs | $(awk '{ print $1 }' "$f" | pct 50) | **$p99** | $(awk '{ print $1 }' "$f" | sort -n | tail -n 1) | $(awk '{ print $5 }' "$f" | pct 50) | $geo_p50 |")
        SCALE_SUMMARY+=("$docs:$p99")
    done
fi

# ---------------------------------------------------------------------------
# 4. The database fallback: SQLite, then PostgreSQL
# ---------------------------------------------------------------------------
declare -a DB_ROWS=()
db_bench() { # db_bench NAME LABEL DATABASE_URL
    local name=$1 label=$2 db=$3
    start_server "$name" "$db"
    local r
    r=$(curl -fsS --max-time 60 "$BASE/api/v1/search?per_page=1") || die "GET /api/v1/search failed ($label)"
    [[ $(jq -r .engine <<<"$r") == database ]] || die "$label: the search did not come from the database: $r"
    local total
    total=$(jq .estimated_total <<<"$r")
    ((total >= LISTINGS)) || die "$label: the database search finds $total listings, expected $LISTINGS"
    log "database fallback on $label: $total listings"
    warm "$TMP/api.lua" "$BASE"
    log "run: $label ($DB_DURATION, $CONNECTIONS connections)"
    run_wrk "db-$name" "$TMP/api.lua" "$BASE" "$DB_DURATION"
    ((W_DB == W_REQ)) || die "$label: $((W_REQ - W_DB)) answers did not come from the database"
    log "  $W_RPS req/s, p50 $W_P50 ms, p99 $W_P99 ms"
    DB_ROWS+=("| $label | $total | $W_REQ | $W_RPS | **$W_P50** | $W_P90 | **$W_P99** | $W_MAX |")
    eval "DB_${name^^}_P50=$W_P50 DB_${name^^}_P99=$W_P99"
    log "per query: $SAMPLES sequential requests ($label)"
    local i=0 qd query
    for qd in "${QUERIES[@]}"; do
        IFS='|' read -r _ query _ <<<"$qd"
        i=$((i + 1))
        seq_get "$BASE/api/v1/search?$query"
        if [[ $name == sqlite ]]; then
            PQ_SQLITE[$i]=$SEQ_MS
            PQ_SQLITE_N[$i]=$SEQ_TOTAL
        else
            PQ_PG[$i]=$SEQ_MS
            PQ_PG_N[$i]=$SEQ_TOTAL
        fi
    done
    stop_server
}
db_bench sqlite SQLite "$SQLITE_URL"
GEN_PG_S=""
if [[ -n "$PG_ADMIN" ]]; then
    PG_DB="city_portal_bench_$(date +%s)_$RANDOM"
    "$PSQL" -X -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null || die "CREATE DATABASE $PG_DB failed"
    PG_URL=$(jq -rn --arg u "$PG_ADMIN" --arg d "$PG_DB" '$u | sub("/[^/?]*(?<rest>\\?.*)?$"; "/" + $d + (.rest // ""))')
    log "generating $LISTINGS listings (seed $SEED) into PostgreSQL"
    start=$(now_ns)
    (portal "$PG_URL" -- generate-listings --count "$LISTINGS" --seed "$SEED") >"$TMP/generate-pg.txt" 2>&1 \
        || die "generate-listings on PostgreSQL failed: $(tail -n 5 "$TMP/generate-pg.txt")"
    GEN_PG_S=$(awk -v ms="$(ms_since "$start")" 'BEGIN { printf "%.1f", ms / 1000 }')
    log "  $GEN_PG_S s"
    db_bench postgres PostgreSQL "$PG_URL"
    "$PSQL" -X -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null || log "dropping $PG_DB failed"
    PG_DB=""
fi

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
PORTAL_V=$("$BIN" --version)
met() { if awk "BEGIN { exit !($1) }"; then echo yes; else echo "**no**"; fi; }

mkdir -p "$(dirname "$OUT")"
{
    echo "# Search benchmarks"
    echo
    echo "Written by \`bench/search.sh\`; run it again to refresh this file."
    echo
    echo "| setup | |"
    echo "|---|---|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| commit | \`$COMMIT\` |"
    echo "| machine | $NPROC CPUs (nproc), $CPU, $MEM_TOTAL RAM, $OS, Linux $(uname -r) |"
    echo "| load average (1, 5, 15 min) after the build / at the end | $LOADAVG_START / $LOADAVG |"
    echo "| run time | $(( ($(date +%s) - RUN_START + 30) / 60 )) min after the build |"
    echo "| tools | $PORTAL_V (release build), ${MEILI_V:+Meilisearch $MEILI_V, }${PG_V:+$PG_V, }SQLite (bundled with the server), $WRK_V, $(curl --version | head -n 1 | cut -d' ' -f1-2), $(jq --version) |"
    echo "| data | $LISTINGS listings from \`city-portal generate-listings --count $LISTINGS --seed $SEED\` (published businesses derived from the demo city's $TEMPLATES OpenStreetMap businesses): ${GEN_SQLITE_S} s on SQLite${GEN_PG_S:+, ${GEN_PG_S} s on PostgreSQL} |"
    if [[ -n "$MEILI" ]]; then
        echo "| Meilisearch | $MEILI_V (\`GET /version\`), $MEILI_ORIGIN; on the same machine |"
    else
        echo "| Meilisearch | none ($MEILI_SKIP) |"
    fi
    echo "| servers | 127.0.0.1, SQLite in a fresh temp dir${PG_V:+, PostgreSQL: a fresh database (dropped at the end) on ${PG_ORIGIN}}; \`LOG=warn\`, \`CITY_TIMEZONE=$TZ_CITY\`, no Redis |"
    echo "| load | \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout 60s\` per run (database fallback: \`-d$DB_DURATION\`), after a $WARMUP warm-up per route; the ${#QUERIES[@]} queries below in rotation |"
    echo
    echo "## Summary"
    echo
    echo "| measure | result | target | met |"
    echo "|---|---|---|---|"
    if [[ -n "$MEILI" ]]; then
        echo "| 1. p99 latency through \`GET /api/v1/search\` vs. the same Meilisearch queries sent directly: the portal's main query and, for a search not filtered by \"open now\", its open-now count, as the portal sends them (one \`/multi-search\`); mean of ${N_RUNS[api]} runs each | API $API_P99 ms, direct $MULTI_P99 ms: **${P99_RATIO_MULTI}×** (p50: $API_P50 ms vs. $MULTI_P50 ms) | ≤ ${P99_RATIO_TARGET}× | $(met "$P99_RATIO_MULTI <= $P99_RATIO_TARGET") |"
        echo "| 1. the same against the main query alone (\`POST /indexes/<uid>/search\`): the open-now count, a second query, counted as the portal's overhead | API $API_P99 ms, direct $DIRECT_P99 ms: ${P99_RATIO}× (p50: $API_P50 ms vs. $DIRECT_P50 ms) | — | — |"
        echo "| 1. Meilisearch's own \`processingTimeMs\` of the direct queries under that load | mean $PT_MEAN ms, p99 $PT_P99 ms (the higher of the runs' p99) | — | — |"
        echo "| 2. freshness: change → searchable through \`/api/v1/search\`, $CHANGES changes, an index of $LISTINGS listings | p50 $FRESH_API_P50 ms, **p99 $FRESH_API_P99 ms** (directly in Meilisearch: p50 $FRESH_DIRECT_P50 ms, p99 $FRESH_DIRECT_P99 ms) | p99 < $FRESH_TARGET_MS ms | $(met "$FRESH_API_P99 < $FRESH_TARGET_MS") |"
        echo "| 2. of which Meilisearch's own task (started → finished) / the portal's share (from sending the change, all but Meilisearch's queue and task) | task p50 $FRESH_TASK_P50 ms, p99 $FRESH_TASK_P99 ms / portal p50 $FRESH_PORTAL_P50 ms, p99 $FRESH_PORTAL_P99 ms | — | — |"
        if ((${#SCALE_SUMMARY[@]} > 0)); then
            scale=""
            scale_met=""
            scale_missed=""
            for e in "${SCALE_SUMMARY[@]}"; do
                scale="$scale${scale:+; }${e%%:*} listings: p99 ${e##*:} ms"
                if awk "BEGIN { exit !(${e##*:} < $FRESH_TARGET_MS) }"; then
                    scale_met="$scale_met${scale_met:+, }${e%%:*}"
                else
                    scale_missed="$scale_missed${scale_missed:+, }${e%%:*}"
                fi
            done
            verdict="yes at ${scale_met:-none}"
            [[ -z "$scale_missed" ]] || verdict="$verdict; **no** at $scale_missed"
            echo "| 2b. the same with smaller indexes ($SCALE_CHANGES changes each; the smallest is the demo city) | $scale | p99 < $FRESH_TARGET_MS ms | $verdict listings |"
        fi
        echo "| 3. reindex of $LISTINGS listings: \`city-portal reindex\` (mean of $REINDEX_N runs) vs. a direct bulk add | $REINDEX_RATE vs. $DIRECT_RATE documents/s: **${REINDEX_RATIO}×** ($REINDEX_MEAN_S s vs. $DIRECT_S s) | ≥ ${REINDEX_RATIO_TARGET}× | $(met "$REINDEX_RATIO >= $REINDEX_RATIO_TARGET") |"
    else
        echo "| 1. API vs. direct Meilisearch p99 | skipped: $MEILI_SKIP | ≤ ${P99_RATIO_TARGET}× | — |"
        echo "| 2. freshness | skipped: $MEILI_SKIP | p99 < $FRESH_TARGET_MS ms | — |"
        echo "| 3. reindex vs. direct bulk add | skipped: $MEILI_SKIP | ≥ ${REINDEX_RATIO_TARGET}× | — |"
    fi
    echo "| 4. database fallback on SQLite, $LISTINGS listings | p50 $DB_SQLITE_P50 ms, p99 $DB_SQLITE_P99 ms | (reported) | — |"
    if [[ -n "$GEN_PG_S" ]]; then
        echo "| 4. database fallback on PostgreSQL, $LISTINGS listings | p50 $DB_POSTGRES_P50 ms, p99 $DB_POSTGRES_P99 ms | (reported) | — |"
    else
        echo "| 4. database fallback on PostgreSQL | skipped: $PG_SKIP | (reported) | — |"
    fi
    echo
    echo "## Queries"
    echo
    echo "In rotation in every load run (each wrk thread starts at another one). Per query:"
    echo "the median of $SAMPLES sequential requests (one at a time, a new connection each,"
    echo "as curl makes them) and the number of results each engine reports. The database"
    echo "search has no typo tolerance, and Meilisearch's counts are estimates. \"Open now\""
    echo "depends on the minute each engine was asked: the engines' runs minutes apart may"
    echo "straddle an opening or closing time."
    echo
    echo "| # | query | \`/api/v1/search?…\` | results (Meilisearch) | portal + Meilisearch (ms) | Meilisearch direct (ms) | processingTimeMs | results (database) | SQLite (ms) | PostgreSQL (ms) |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    i=0
    for qd in "${QUERIES[@]}"; do
        IFS='|' read -r label query _ <<<"$qd"
        i=$((i + 1))
        echo "| $i | $label | \`$query\` | ${PQ_TOTAL[$i]:-—} | ${PQ_PORTAL[$i]:-—} | ${PQ_DIRECT[$i]:-—} | ${PQ_PT[$i]:-—} | ${PQ_SQLITE_N[$i]:-—}$([[ -n "${PQ_PG_N[$i]:-}" && "${PQ_PG_N[$i]}" != "${PQ_SQLITE_N[$i]}" ]] && echo " (PostgreSQL ${PQ_PG_N[$i]})") | ${PQ_SQLITE[$i]:-—} | ${PQ_PG[$i]:-—} |"
    done
    echo
    if [[ -n "$MEILI" ]]; then
        echo "## 1. Through the portal vs. directly"
        echo
        echo "The same queries at the same concurrency. The direct requests carry the JSON the"
        echo "portal sends (built by this script the way \`search-indexer/src/search.rs\` builds"
        echo "it, and checked before the runs: for every query the portal and the direct"
        echo "request return the same hits in the same order, the same total and the same"
        echo "open-now count). For every search not filtered by \"open now\" the portal sends two"
        echo "queries in one \`/multi-search\` request: the main one and the open-now count"
        echo "(limit 0). The multi-search runs send Meilisearch exactly that (the target's"
        echo "baseline); the \`/search\` runs send the main query alone."
        echo "Alternating, in this order; latencies in ms as wrk measured them."
        echo
        echo "| # | route | round | requests/s | p50 | p90 | p99 | max | Meilisearch \`processingTimeMs\` (ms) | answers from the database |"
        echo "|---|---|---|---|---|---|---|---|---|---|"
        printf '%s\n' "${LOAD_ROWS[@]}"
        echo
        echo "Load average before / after these runs: $LOADAVG_BEFORE / $LOADAVG_AFTER."
        echo
        echo "## 2. Index freshness"
        echo
        echo "An owner (registered, with an organization, through the API) renames a published"
        echo "listing to a new unique word with \`PUT /api/v1/listings/{id}\`, $CHANGES times, one"
        echo "after the other, on SQLite with the in-server indexer. From the moment the \`PUT\`"
        echo "answered, \`/api/v1/search?q=<word>\` (answered by Meilisearch) and Meilisearch"
        echo "itself are asked in turn, about every 10 ms, until both find the listing under its"
        echo "new name. Meilisearch's timestamps of the change's task (\`GET /tasks\`) split the"
        echo "time. The index holds the $LISTINGS generated listings. ms:"
        echo
        echo "| span | p50 | p90 | p99 | max |"
        echo "|---|---|---|---|---|"
        printf '%s\n' "${FRESH_ROWS[@]}"
        echo
        if ((${#SCALE_ROWS[@]} > 0)); then
            echo "## 2b. Freshness by index size"
            echo
            echo "The same measurement, $SCALE_CHANGES changes each, with smaller indexes: each a fresh"
            echo "SQLite database and Meilisearch index, filled with \`city-portal reindex\`, the"
            echo "portal's in-server indexer following the changes. With \`_geo\` filterable and"
            echo "sortable, Meilisearch rewrites its whole geo R-tree in every batch (\"writing geo"
            echo "points\"), so a one-document change costs more the more listings the index holds. ms:"
            echo
            echo "| index | documents | change → searchable p50 | p99 | max | Meilisearch task p50 | of which \"writing geo points\" p50 |"
            echo "|---|---|---|---|---|---|---|"
            printf '%s\n' "${SCALE_ROWS[@]}"
            echo
        fi
        echo "## 3. Reindex vs. a direct bulk add"
        echo
        echo "\`city-portal reindex\` reads the published listings from SQLite in pages of $CHUNK,"
        echo "builds their documents, sends each page to a fresh index (not waiting in between),"
        echo "waits for all tasks, swaps the index in and deletes the old one. The direct bulk add"
        echo "sends the same documents (read back from the reindexed index with the documents"
        echo "API, $CHUNK per request, the same chunk size) to a fresh index created with the"
        echo "settings read from it, waiting for the creation and the settings as the reindex"
        echo "does, and is timed until its last task succeeded. Wall-clock seconds of each;"
        echo "Meilisearch's timestamps beside them. The ratio compares the mean of the reindex"
        echo "runs with the direct run."
        echo
        echo "| order | how | documents | seconds | documents/s | Meilisearch |"
        echo "|---|---|---|---|---|---|"
        printf '%s\n' "${REINDEX_ROWS[@]}"
        echo
    fi
    echo "## 4. The database fallback"
    echo
    echo "\`wrk -t$THREADS -c$CONNECTIONS -d$DB_DURATION --timeout 60s\` after a $WARMUP warm-up: the same"
    echo "rotating queries through \`/api/v1/search\` of a portal without"
    echo "\`MEILI_URL\` (every answer checked to come from the database engine), on the same"
    echo "generated listings$([[ -n "$MEILI" ]] && echo " (SQLite: plus the one listing of the freshness part)"). ms:"
    echo
    echo "| database | published listings | requests | requests/s | p50 | p90 | p99 | max |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${DB_ROWS[@]}"
    [[ -n "$GEN_PG_S" ]] || echo "| PostgreSQL | skipped: $PG_SKIP | | | | | | |"
    echo
    echo "## Notes"
    echo
    echo "- On this $NPROC-CPU machine wrk ($THREADS threads), the portal and Meilisearch share the"
    echo "  cores, so the absolute numbers understate dedicated servers; other processes"
    echo "  running at the same time (see the load average) add noise. Compare the two rounds."
    echo "- Part 1: a portal search that is not filtered by \"open now\" asks Meilisearch two"
    echo "  queries (the hits with their facets, and the open-now count, limit 0) in one"
    echo "  \`/multi-search\`. The target is judged against sending Meilisearch those same"
    echo "  queries directly, so the ratio is what the portal adds (HTTP, JSON, building the"
    echo "  queries and the answer). The second summary row counts the open-now query as"
    echo "  overhead too, against the main query alone."
    if [[ -n "$MEILI" ]]; then
        echo "- Meilisearch takes most of a freshness change's time in its own task (started →"
        echo "  finished), even for one document in an index of $LISTINGS; the portal's share is"
        echo "  the rest. The task's steps (its batch's \`progressTrace\`) show where: with \`_geo\`"
        echo "  filterable and sortable (for \`near\` and sorting by distance), every indexing batch"
        echo "  reads the R-tree of all listings' points, writes it again to a temporary file"
        echo "  with one \`write\` system call per number (milli's \`merge_and_send_rtree\`"
        echo "  serializes into an unbuffered file, in 1.50 as in its newest source) and stores"
        echo "  it: the step \"writing geo points\", which grows with the number of listings, not"
        echo "  with the change. The portal cannot shorten it short of dropping \`near\`. A second"
        echo "  cost, a buffer of 5% of Meilisearch's indexing memory allocated and zeroed for"
        echo "  every batch (about 0.55 s per batch with its default of two thirds of this"
        echo "  machine's RAM), is cut by the \`--max-indexing-memory\` of 2 GiB that"
        echo "  docker/compose.yaml sets."
        [[ "${API_DB_ANSWERS:-0}" == 0 ]] \
            || echo "- **$API_DB_ANSWERS portal answers in part 1 came from the database**: Meilisearch took longer than the portal's 800 ms timeout and the circuit breaker sent searches to the database for 5 s; those runs do not measure the Meilisearch path alone."
    fi
    if [[ -n "$MEILI" ]]; then
        echo "- Reindex vs. direct: \"enqueued over\" is how long each side took to hand its chunks"
        echo "  to Meilisearch (the reindex reads and builds its documents meanwhile), \"first chunk"
        echo "  enqueued → last finished\" how long Meilisearch worked on them; Meilisearch batches"
        echo "  the chunks waiting in its queue, so how they arrive changes its own time. A reindex"
        echo "  over an existing index also waits for the old index to be deleted after the swap."
    fi
    echo "- The database fallback runs at the same concurrency as part 1 on $NPROC CPUs, so"
    echo "  requests queue behind each other: compare its p50 with the sequential times per"
    echo "  query in the table of queries."
    echo "- Generated listings are not written to the outbox; \`city-portal reindex\` indexes"
    echo "  them. The database search matches folded words through a trigram index (SQLite:"
    echo "  the FTS5 table \`listings_fts\` for words of 3 or more characters, shorter ones with"
    echo "  \`LIKE\`; PostgreSQL: \`LIKE\` on a \`pg_trgm\` GIN index) and counts the total and the"
    echo "  kind, district, open-now and wheelchair facets in one grouped query, the categories"
    echo "  in a second (with words: all counted and scored in the one read of the matches,"
    echo "  only those that can reach the page sorted); open now is two sets of listings read"
    echo "  once per search; without words it reads the covering index of migration 24. It"
    echo "  still counts every match, so its cost grows with the number of listings a query"
    echo "  matches (a query without words matches them all)."
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote ${OUT#"$ROOT"/}"
cat "$OUT"
