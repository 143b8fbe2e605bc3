#!/usr/bin/env bash
# Booking benchmarks for City Portal (issue 5).
#
#   bench/booking.sh
#
# What it measures, against the release binary on PostgreSQL (a fresh database):
#
#   1. Uncontended bookings per second: `POST /api/v1/bookings` (instant confirmation,
#      each with a new `Idempotency-Key`) through the API with wrk, against `pgbench`
#      running the same SQL (the statements one booking request executes, in the same
#      order, the ones in the server's transaction in one transaction) on the same
#      PostgreSQL, same number of clients, same duration, alternating runs. Target: the
#      API rate >= 50% of the pgbench rate.
#      The server runs with NOTIFIER=external, and the booking notifications are sent
#      by a `city-portal notifier` process of their own, in two ways, alternating: one
#      started after the run (as on another machine: the API rate is the request path
#      alone, what pgbench's script is), one running alongside on the same CPUs (the
#      default deployment's load, where the server sends them itself).
#      "Uncontended": no two requests in flight share a resident (the user row the
#      booking locks) or a session (the seat row it updates). Every wrk thread and every
#      pgbench client has its own residents (P of them) and its own offer per run, a
#      class of 500 sessions of 1000 seats, and its k-th booking goes to resident
#      k mod P and session k mod 500 (P and 500 coprime, so every pair is new and no
#      booking is refused as "already booked").
#   2. Contention: BENCH_CLIENTS (500) distinct residents, each on its own open
#      connection, send one booking for the same session of capacity BENCH_CAPACITY
#      (20) at the same moment (a Node script writes all requests in one loop).
#      Checked: exactly 20 answers 201 (confirmed) and 480 answer 409
#      application/problem+json `/problems/full`; afterwards in the database exactly
#      20 confirmed bookings of that session, its `booked` = 20 and every request's
#      Idempotency-Key stored with its answer. Reported: p50/p90/p99/max latency.
#      BENCH_BURSTS (3) such bursts, each on a new session.
#
# Residents are registered through the API (`POST /api/v1/accounts/register`, whose
# session cookie they then use); an owner registers, creates an organization, a
# listing (published) and the class offers (`POST /api/v1/listings/{id}/offers`).
# pgbench uses residents of its own (rows copied into `users` by this script, with
# ids pgbench can compute) and writes its outbox deliveries as not yet due, so the
# notifier leaves them alone; they are marked done afterwards. The server stays up
# (idle) during the pgbench runs, no notifier runs then. After each API run the script
# waits until the notifier has handled every booking event.
#
# PostgreSQL: BENCH_POSTGRES_URL (a URL whose user may create databases), else
# TEST_POSTGRES_URL, else the private test PostgreSQL of `scripts/test --services-only`
# (started if needed). The benchmark creates its own database there and drops it at
# the end. Without PostgreSQL or pgbench it cannot measure and fails.
#
# It builds with `cargo build --release -p api` (waits if another cargo holds the
# lock), installs `wrk` (and `jq`, `curl`, `nodejs`, the PostgreSQL client) with
# apt-get if missing, runs everything on 127.0.0.1 (loopback only) in a fresh temp
# dir, and stops what it started.
#
# Results go to bench/results/booking.md (Markdown) and are printed on stdout;
# progress goes to stderr. These are measurements, not tests: the exit code is
# non-zero only on errors (build failure, the server not starting, wrk or pgbench
# failing, wrong answers or wrong counts in the database), never because a target
# was missed.
#
# Environment (all optional):
#   BENCH_DURATION      duration of each measured run (wrk and pgbench)  (default 15s)
#   BENCH_CONNECTIONS   wrk connections = pgbench clients               (default 8)
#   BENCH_WARMUP        unreported warm-up of each side                 (default 3s; 0 = none)
#   BENCH_ROUNDS        measured rounds of each side, alternating       (default 2)
#   BENCH_CLIENTS       concurrent residents of the contention part     (default 500)
#   BENCH_CAPACITY      seats of the contended session                  (default 20)
#   BENCH_BURSTS        contention bursts, each on a new session        (default 3)
#   BENCH_PORT          first port to try                               (default 18481)
#   BENCH_POSTGRES_URL  see above
#   BENCH_REV           build and measure this commit (a clean `git archive` export,
#                       built in target/bench-booking-rev) instead of the working tree
#   BENCH_KEEP_TMP=1    keep the temp dir (server log, wrk/pgbench output, scripts)
#                       and the PostgreSQL database
#   BENCH_OUT           the results file (default bench/results/booking.md)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
OUT="${BENCH_OUT:-$BENCH_DIR/results/booking.md}"
[[ "$OUT" = /* ]] || OUT="$PWD/$OUT"

DURATION="${BENCH_DURATION:-15s}"
CONNECTIONS="${BENCH_CONNECTIONS:-8}"
WARMUP="${BENCH_WARMUP:-3s}"
ROUNDS="${BENCH_ROUNDS:-2}"
CLIENTS="${BENCH_CLIENTS:-500}"
CAPACITY="${BENCH_CAPACITY:-20}"
BURSTS="${BENCH_BURSTS:-3}"
FIRST_PORT="${BENCH_PORT:-18481}"
THREADS=2
SESSIONS=500         # sessions per offer: booking::offers::MAX_SESSIONS
SEATS=1000           # seats per session of the uncontended offers (the maximum)
START_TIMEOUT=120    # seconds for the server to answer
DRAIN_TIMEOUT=300    # seconds to wait for the notifier after an API run
TZ_CITY=Europe/Berlin # the portal's default CITY_TIMEZONE, set explicitly below
RATIO_TARGET_PCT=50

# seconds of a wrk-style duration: 15, 15s, 2m, 1h
dur_s() {
    [[ "$1" =~ ^([0-9]+)([smh]?)$ ]] || return 1
    case "${BASH_REMATCH[2]}" in
        m) echo $((BASH_REMATCH[1] * 60)) ;;
        h) echo $((BASH_REMATCH[1] * 3600)) ;;
        *) echo "${BASH_REMATCH[1]}" ;;
    esac
}
DURATION_S=$(dur_s "$DURATION") || die "BENCH_DURATION must look like 15s, 2m or 15"
((DURATION_S > 0)) || die "BENCH_DURATION must be positive"
WARMUP_S=$(dur_s "$WARMUP") || die "BENCH_WARMUP must look like 3s or 0"
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONNECTIONS must be a positive integer"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"
[[ "$CLIENTS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_CLIENTS must be a positive integer"
[[ "$CAPACITY" =~ ^[1-9][0-9]*$ ]] && ((CAPACITY <= 1000)) || die "BENCH_CAPACITY must be 1-1000"
((CAPACITY < CLIENTS)) || die "BENCH_CAPACITY must be below BENCH_CLIENTS (there is nothing to contend for otherwise)"
[[ "$BURSTS" =~ ^[1-9][0-9]*$ ]] && ((BURSTS <= 500)) || die "BENCH_BURSTS must be 1-500"
[[ "$FIRST_PORT" =~ ^[0-9]+$ ]] || die "BENCH_PORT must be a port number"
if ((CONNECTIONS < THREADS)); then THREADS=$CONNECTIONS; fi
((CONNECTIONS % THREADS == 0)) || die "BENCH_CONNECTIONS must be a multiple of $THREADS (wrk threads)"

# Residents per wrk thread / pgbench client: at least 4 per connection of a thread (so
# the resident of a request in flight comes round again only after every connection
# answered several times) and enough pairs for 5,000 bookings/s per thread or client
# over a run; coprime with SESSIONS (500 = 2^2 * 5^3), so k -> (k mod P, k mod 500) never
# repeats a pair within P * 500 bookings.
P=$((4 * CONNECTIONS / THREADS + 1))
MIN_P=$(((5000 * (DURATION_S > WARMUP_S ? DURATION_S : WARMUP_S) + SESSIONS - 1) / SESSIONS))
((P >= MIN_P)) || P=$MIN_P
while ((P % 2 == 0 || P % 5 == 0)); do P=$((P + 1)); done
API_RESIDENTS=$((THREADS * P))
REGISTER=$((CLIENTS > API_RESIDENTS ? CLIENTS : API_RESIDENTS))

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------
find_pg_tool() { # find_pg_tool NAME: on PATH, else the newest /usr/lib/postgresql/*/bin
    local p
    p=$(command -v "$1" 2>/dev/null || true)
    if [[ -z "$p" ]]; then
        for c in /usr/lib/postgresql/*/bin/"$1"; do [[ -x "$c" ]] && p="$c"; done
    fi
    printf '%s' "$p"
}
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
command -v node >/dev/null || missing+=(nodejs)
[[ -n "$(find_pg_tool psql)" ]] || missing+=(postgresql-client)
[[ -n "$(find_pg_tool pgbench)" ]] || missing+=(postgresql-contrib)
((${#missing[@]} == 0)) || apt_install "${missing[@]}"
PSQL=$(find_pg_tool psql)
PGBENCH=$(find_pg_tool pgbench)
[[ -n "$PSQL" ]] || die "no psql"
[[ -n "$PGBENCH" ]] || die "no pgbench"

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------
build_portal bench-booking-rev
RUN_START=$(date +%s)
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------
# Temp dir, cleanup
# ---------------------------------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/city-portal-bench-booking.XXXXXX")"
SERVER_PID=""
SERVER_LOG=""
NOTIFIER_PID=""
PG_ADMIN=""
PG_DB=""

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
}

stop_notifier() {
    if [[ -n "$NOTIFIER_PID" ]] && kill -0 "$NOTIFIER_PID" 2>/dev/null; then
        kill -TERM "$NOTIFIER_PID" 2>/dev/null || true # graceful
        for _ in $(seq 1 50); do
            kill -0 "$NOTIFIER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$NOTIFIER_PID" 2>/dev/null || true
        wait "$NOTIFIER_PID" 2>/dev/null || true
    fi
    NOTIFIER_PID=""
}

cleanup() {
    stop_notifier
    stop_server
    if [[ -n "$PG_DB" && "${BENCH_KEEP_TMP:-0}" == 1 ]]; then
        log "kept the PostgreSQL database $PG_DB"
    elif [[ -n "$PG_DB" ]]; then
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


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
if [[ -n "${BENCH_POSTGRES_URL:-}" ]]; then
    PG_ADMIN="$BENCH_POSTGRES_URL"
    PG_ORIGIN="BENCH_POSTGRES_URL"
elif [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
    PG_ADMIN="$TEST_POSTGRES_URL"
    PG_ORIGIN="TEST_POSTGRES_URL (scripts/test)"
else
    log "starting the test PostgreSQL: scripts/test --services-only"
    # A dummy MEILI_URL keeps scripts/test from starting a Meilisearch of its own.
    services=$(MEILI_URL=http://127.0.0.1:9 "$ROOT/scripts/test" --services-only 2>"$TMP/services.log") \
        || die "scripts/test --services-only failed: $(tail -n 5 "$TMP/services.log")"
    PG_ADMIN=$(bash -c "$(grep '^export TEST_POSTGRES_URL=' <<<"$services")"'; printf %s "$TEST_POSTGRES_URL"')
    PG_ORIGIN="the private test PostgreSQL of scripts/test --services-only"
fi
[[ -n "$PG_ADMIN" ]] || die "no PostgreSQL URL"
PG_V=$("$PSQL" -X -tA "$PG_ADMIN" -c 'SHOW server_version' 2>/dev/null) || die "cannot connect to PostgreSQL ($PG_ORIGIN)"
PG_V="PostgreSQL ${PG_V%% *}"
PG_DB="city_portal_bench_booking_$(date +%s)_$RANDOM"
"$PSQL" -X -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null || die "CREATE DATABASE $PG_DB failed"
PG_URL=$(jq -rn --arg u "$PG_ADMIN" --arg d "$PG_DB" '$u | sub("/[^/?]*(?<rest>\\?.*)?$"; "/" + $d + (.rest // ""))')
sql() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -tA "$PG_URL" -c "$1"; }
log "database $PG_DB on $PG_ORIGIN ($PG_V)"

# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------
PORT=$(free_port "$FIRST_PORT")
BASE="http://127.0.0.1:$PORT"
SERVER_LOG="$TMP/server.log"
SECRETS_KEY="$(head -c 32 /dev/urandom | base64)"
# portal COMMAND: the binary with only the settings given here (no .env of the
# checkout is read): sessions in memory, no Redis, no Meilisearch, no SMTP
# (notifications become log lines, not shown at LOG=warn), the notifications left to
# `city-portal notifier`.
portal() {
    cd "$TMP" || exit 1
    exec env -u REDIS_URL -u REDIS_KEY_PREFIX -u MEILI_URL -u MEILI_API_KEY -u MEILI_INDEX \
        -u SEARCH_INDEXER -u PUBLIC_URL -u MAX_BODY_BYTES -u CONFIG_FILE -u THEME_DIR \
        -u LISTING_CACHE_MS -u CITY_NAME -u DEFAULT_LOCALE -u TRUST_FORWARDED_FOR \
        -u SMTP_URL -u SMTP_FROM -u REMINDER_HOURS -u BOOKING_HOLD_SECONDS \
        -u WAITLIST_CLAIM_MINUTES \
        NOTIFIER=external DATABASE_URL="$PG_URL" BIND_ADDR="127.0.0.1:$PORT" LOG=warn ANONYMOUS_REQUESTS_PER_MINUTE=0 REGISTRATIONS_PER_HOUR=1000000 \
        DEMO_DATA=false PARTNER_SECRETS_KEY="$SECRETS_KEY" CITY_TIMEZONE="$TZ_CITY" \
        "$BIN" "$1"
}
start_notifier() {
    (portal notifier) </dev/null >>"$TMP/notifier.log" 2>&1 &
    NOTIFIER_PID=$!
}
log "starting the portal on $BASE"
(portal serve) </dev/null >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
start=$(now_ns)
until curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited during start-up"
    (($(now_ns) - start < START_TIMEOUT * 1000000000)) || die "the server was not ready after ${START_TIMEOUT}s"
    sleep 0.2
done
PORTAL_V=$("$BIN" --version)

# ---------------------------------------------------------------------------
# Data through the API: an owner, a published listing, the offers; the residents
# ---------------------------------------------------------------------------
JAR="$TMP/owner-cookies.txt"
api() { # api METHOD PATH [curl args...] -> body; fails on non-2xx
    local method=$1 path=$2
    shift 2
    curl -fsS --max-time 60 -b "$JAR" -c "$JAR" -X "$method" -H 'Content-Type: application/json' "$@" "$BASE$path"
}
RUN_ID="$(date +%s)$RANDOM"
api POST /api/v1/accounts/register \
    -d "{\"email\": \"owner-$RUN_ID@example.org\", \"password\": \"correct horse battery staple\", \"display_name\": \"Bench Owner\"}" \
    >/dev/null || die "registering the owner failed"
ORG=$(api POST /api/v1/organizations -d '{"name": "Benchmark Sport GmbH"}' | jq -r .id) || die "creating an organization failed"
LISTING=$(api POST /api/v1/listings -d "$(jq -nc --arg org "$ORG" '{
    kind: "business", organization_id: $org,
    name: {de: "Benchmark Sportstudio", en: "Benchmark gym"},
    description: {de: "Kurse jeden Tag.", en: "Classes every day."},
    categories: ["sport.gym"], tags: ["yoga"],
    address: {street: "Aleksanterinkatu 1", postcode: "00100", city: "Helsinki"},
    district: "Kluuvi", location: {lat: 60.1690, lng: 24.9450},
    wheelchair: "yes", languages: ["de", "en"],
    opening_hours: {weekly: [{weekday: "mo", opens: "07:00", closes: "21:00"}], exceptions: []}
}')" | jq -r .id) || die "creating a listing failed"
api POST "/api/v1/listings/$LISTING/publish" -H 'If-Match: "1"' >/dev/null || die "publishing the listing failed"
CITY=$(sql "SELECT city_id FROM listings WHERE id = '$LISTING'") || die "reading the city id failed"

# Session times: every 15 minutes from midnight UTC two days ahead, 500 of them (5.2
# days); moved on by a week while that window crosses a daylight-saving change (the
# local times of an autumn change exist twice).
T0=$((($(date +%s) / 86400 + 2) * 86400))
for _ in 1 2 3; do
    off_a=$(TZ=$TZ_CITY date -d "@$T0" +%z)
    off_b=$(TZ=$TZ_CITY date -d "@$((T0 + SESSIONS * 900 + 3600))" +%z)
    [[ "$off_a" == "$off_b" ]] && break
    T0=$((T0 + 7 * 86400))
done
[[ "$off_a" == "$off_b" ]] || die "no session window without a daylight-saving change found"
OFF_S=$(((10#${off_a:1:2} * 3600 + 10#${off_a:3:2} * 60) * (${off_a:0:1}1)))
OFF_ISO="${off_a:0:3}:${off_a:3:2}"
# local date-times for the offer, and the same instants as RFC 3339 with the offset
jq -nc --argjson t0 "$T0" --argjson off "$OFF_S" --argjson n "$SESSIONS" \
    '[range($n) | ($t0 + . * 900 + $off | todate | rtrimstr("Z"))]' >"$TMP/sessions-local.json"
jq -r --arg o "$OFF_ISO" '.[] | . + $o' "$TMP/sessions-local.json" >"$TMP/sessions.txt"
FIRST_DAY=$(jq -r '.[0][0:10]' "$TMP/sessions-local.json")

# create_offer NAME SEATS SESSIONS_JSON -> offer id
create_offer() {
    api POST "/api/v1/listings/$LISTING/offers" -d "$(jq -nc --arg name "$1" --argjson seats "$2" --argjson sessions "$3" '{
        kind: "class", name: {de: $name, en: $name}, horizon_days: 365,
        class: {seats: $seats, duration_minutes: 15, sessions: $sessions}
    }')" | jq -r .id
}
# API offers: index (run * THREADS + thread - 1), run 0 is the warm-up.
# Two API runs a round (the notifier after it, and alongside), one of pgbench.
API_RUNS=$((2 * ROUNDS + 1))
PGB_RUNS=$((ROUNDS + 1))
declare -a API_OFFERS=() PGB_OFFERS=()
log "creating $((API_RUNS * THREADS + PGB_RUNS + 1)) class offers ($SESSIONS sessions each)"
for ((i = 0; i < API_RUNS * THREADS; i++)); do
    API_OFFERS+=("$(create_offer "API $i" "$SEATS" "$(cat "$TMP/sessions-local.json")")") || die "creating an offer failed"
done
for ((i = 0; i < PGB_RUNS; i++)); do
    PGB_OFFERS+=("$(create_offer "pgbench $i" "$SEATS" "$(cat "$TMP/sessions-local.json")")") || die "creating an offer failed"
done
CONTENDED_OFFER=$(create_offer "Contended" "$CAPACITY" "$(jq -c ".[0:$((BURSTS + 1))]" "$TMP/sessions-local.json")") \
    || die "creating the contended offer failed"
# The availability of one offer lists every session with all its seats, at the times
# this script books.
last_day=$(jq -r '.[-1][0:10]' "$TMP/sessions-local.json")
avail=$(curl -fsS "$BASE/api/v1/offers/${API_OFFERS[0]}/availability?from=$FIRST_DAY&to=$last_day") || die "GET availability failed"
[[ $(jq --argjson s "$SEATS" '[.slots[] | select(.remaining == $s)] | length' <<<"$avail") == "$SESSIONS" ]] \
    || die "availability lists $(jq '.slots | length' <<<"$avail") sessions, expected $SESSIONS with $SEATS seats"
jq -r '.slots[].starts_at' <<<"$avail" | while read -r t; do date -d "$t" +%s; done >"$TMP/avail-epochs.txt"
while read -r t; do date -d "$t" +%s; done <"$TMP/sessions.txt" | cmp -s - "$TMP/avail-epochs.txt" \
    || die "the session times listed by availability differ from the ones created"

cat >"$TMP/client.js" <<'NODE'
'use strict';
// Helper of bench/booking.sh (Node built-ins only).
//   register BASE COUNT CONCURRENCY PREFIX OUT
//       registers COUNT residents through POST /api/v1/accounts/register; writes
//       "user_id<TAB>session cookie" lines to OUT.
//   burst HOST PORT RESIDENTS N OFFER STARTS_AT KEY_PREFIX OUT
//       opens N keep-alive connections (each checked with GET /healthz), then writes
//       one POST /api/v1/bookings per connection, for N distinct residents, in one
//       tight loop; writes the statuses, problem types and latencies as JSON to OUT.
const http = require('http');
const net = require('net');
const fs = require('fs');

const [, , mode, ...args] = process.argv;

function fail(msg) {
  process.stderr.write(`client.js: ${msg}\n`);
  process.exit(1);
}

function register([base, count, concurrency, prefix, out]) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
  const n = Number(count);
  const lines = new Array(n);
  let next = 0;
  function one(i) {
    return new Promise((resolve, reject) => {
      const body = JSON.stringify({
        email: `${prefix}-${i + 1}@example.org`,
        password: 'correct horse battery staple',
        display_name: `Resident ${i + 1}`,
      });
      const req = http.request(
        {
          host: url.hostname, port: url.port, path: '/api/v1/accounts/register', method: 'POST', agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (data += c));
          res.on('end', () => {
            if (res.statusCode !== 201) return reject(new Error(`register ${i + 1}: ${res.statusCode} ${data}`));
            const cookie = (res.headers['set-cookie'] || []).map((c) => c.split(';')[0]).find((c) => c.startsWith('cp_session='));
            if (!cookie) return reject(new Error(`register ${i + 1}: no session cookie`));
            lines[i] = `${JSON.parse(data).id}\t${cookie}`;
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  async function worker() {
    while (next < n) await one(next++);
  }
  Promise.all(Array.from({ length: Number(concurrency) }, worker))
    .then(() => {
      fs.writeFileSync(out, lines.join('\n') + '\n');
      agent.destroy();
    })
    .catch((e) => fail(e.message));
}

// A minimal HTTP/1.1 response reader for one keep-alive connection.
class Conn {
  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.waiting = null;
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.pump();
    });
    sock.on('error', (e) => this.waiting && this.waiting.reject(e));
    sock.on('close', () => this.waiting && this.waiting.reject(new Error('connection closed')));
  }
  pump() {
    if (!this.waiting) return;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(head[0].split(' ')[1]);
    const headers = {};
    for (const h of head.slice(1)) {
      const k = h.indexOf(':');
      headers[h.slice(0, k).trim().toLowerCase()] = h.slice(k + 1).trim();
    }
    let body;
    let used;
    if (headers['transfer-encoding'] === 'chunked') {
      let pos = end + 4;
      const parts = [];
      for (;;) {
        const le = this.buf.indexOf('\r\n', pos);
        if (le < 0) return;
        const size = parseInt(this.buf.subarray(pos, le).toString('latin1'), 16);
        if (this.buf.length < le + 2 + size + 2) return;
        if (size === 0) {
          used = le + 4;
          break;
        }
        parts.push(this.buf.subarray(le + 2, le + 2 + size));
        pos = le + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const len = Number(headers['content-length'] || 0);
      if (this.buf.length < end + 4 + len) return;
      body = this.buf.subarray(end + 4, end + 4 + len);
      used = end + 4 + len;
    }
    const at = process.hrtime.bigint();
    this.buf = this.buf.subarray(used);
    const w = this.waiting;
    this.waiting = null;
    w.resolve({ status, headers, body: body.toString('utf8'), at });
  }
  send(bytes) {
    const p = new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
    const sent = process.hrtime.bigint();
    this.sock.write(bytes);
    return { sent, done: p };
  }
}

function pct(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length, Math.max(1, Math.ceil((sorted.length * p) / 100)));
  return Number(sorted[i - 1].toFixed(2));
}

async function burst([host, port, residents, count, offer, startsAt, keyPrefix, out]) {
  const n = Number(count);
  const users = fs.readFileSync(residents, 'utf8').trim().split('\n').slice(0, n).map((l) => l.split('\t'));
  if (users.length < n) fail(`only ${users.length} residents in ${residents}`);
  // 1. N connections, each answered once by the server.
  const conns = await Promise.all(
    users.map(
      () =>
        new Promise((resolve, reject) => {
          const s = net.connect({ host, port: Number(port) }, () => resolve(new Conn(s)));
          s.setNoDelay(true);
          s.on('error', reject);
        }),
    ),
  ).catch((e) => fail(`connecting: ${e.message}`));
  const healthz = Buffer.from(`GET /healthz HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
  const ready = await Promise.all(conns.map((c) => c.send(healthz).done)).catch((e) => fail(`GET /healthz: ${e.message}`));
  if (ready.some((r) => r.status !== 200)) fail('GET /healthz did not answer 200 on every connection');
  // 2. The requests, built beforehand, written in one loop.
  const reqs = users.map(([, cookie], i) => {
    const body = JSON.stringify({ offer_id: offer, starts_at: startsAt });
    return Buffer.from(
      `POST /api/v1/bookings HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\n` +
        `Cookie: ${cookie}\r\nIdempotency-Key: ${keyPrefix}-${i + 1}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  const t0 = process.hrtime.bigint();
  const pending = conns.map((c, i) => c.send(reqs[i]));
  const t1 = process.hrtime.bigint();
  const timer = setTimeout(() => fail('no answer to every booking within 120 s'), 120000);
  const answers = await Promise.all(pending.map((p) => p.done)).catch((e) => fail(`booking: ${e.message}`));
  clearTimeout(timer);
  const res = { n, send_spread_ms: Number(t1 - t0) / 1e6, statuses: {}, problem_types: {}, content_types: {}, booking_status: {}, samples: {} };
  const lat = { all: [], 201: [], 409: [] };
  let last = t0;
  answers.forEach((a, i) => {
    const ms = Number(a.at - pending[i].sent) / 1e6;
    if (a.at > last) last = a.at;
    res.statuses[a.status] = (res.statuses[a.status] || 0) + 1;
    const ct = `${a.status} ${a.headers['content-type'] || '-'}`;
    res.content_types[ct] = (res.content_types[ct] || 0) + 1;
    let j = null;
    try {
      j = JSON.parse(a.body);
    } catch (e) {}
    if (a.status === 201) {
      const st = (j && j.status) || '?';
      res.booking_status[st] = (res.booking_status[st] || 0) + 1;
    } else {
      const t = (j && j.type) || '?';
      res.problem_types[`${a.status} ${t}`] = (res.problem_types[`${a.status} ${t}`] || 0) + 1;
    }
    if (!res.samples[a.status]) res.samples[a.status] = a.body.slice(0, 400);
    lat.all.push(ms);
    if (lat[a.status]) lat[a.status].push(ms);
  });
  res.wall_ms = Number(last - t0) / 1e6;
  for (const k of Object.keys(lat)) {
    const s = lat[k].sort((a, b) => a - b);
    res[`latency_${k}`] = { n: s.length, min: pct(s, 0), p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: pct(s, 100) };
  }
  fs.writeFileSync(out, JSON.stringify(res, null, 1) + '\n');
  conns.forEach((c) => c.sock.destroy());
}

if (mode === 'register') register(args);
else if (mode === 'burst') burst(args).catch((e) => fail(e.stack || e.message));
else fail(`unknown mode ${mode}`);
NODE
log "registering $REGISTER residents through the API"
start=$(now_ns)
node "$TMP/client.js" register "$BASE" "$REGISTER" 4 "resident-$RUN_ID" "$TMP/residents.tsv" \
    || die "registering residents failed"
REGISTER_S=$(awk -v a="$start" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
log "  $REGISTER_S s"
# The server's memory (kB from /proc): each registration hashes a password with
# Argon2 (19 MiB taken and freed).
proc_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
mb() { awk -v k="${1:-0}" 'BEGIN { printf "%.0f", k / 1024 }'; }
RSS_REGISTERED=$(proc_kb VmRSS)
log "  server memory after registering: VmRSS $(mb "$RSS_REGISTERED") MB"

# pgbench's residents: copies of a registered resident with ids it can compute.
PGB_RESIDENTS=$((CONNECTIONS * P))
sql "INSERT INTO users (id, email, password_hash, display_name, locale, created_at, updated_at)
     SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
            'pgbench-$RUN_ID-' || n || '@example.org', u.password_hash, 'Resident pgbench ' || n,
            u.locale, now(), now()
     FROM users u, generate_series(1, $PGB_RESIDENTS) n
     WHERE u.id = '$(head -n 1 "$TMP/residents.tsv" | cut -f1)'" >/dev/null \
    || die "creating pgbench's residents failed"

# ---------------------------------------------------------------------------
# The SQL of one booking, as a pgbench script
# ---------------------------------------------------------------------------
# The statements `POST /api/v1/bookings` executes for a resident with a session cookie
# (sessions in memory: no SQL) booking a class session with instant confirmation, in
# order, as PostgreSQL's statement log shows them (sqlx: extended protocol, prepared
# statements cached per connection, hence `-M prepared`). Values the server binds as
# parameters are pgbench variables or SQL expressions (now(), the ids). Differences:
# the resident's id is computed in the first statement, the session's time comes from
# `to_timestamp(...)`, the response body stored with the key is a fixed sample of a
# real one, and the outbox delivery is written as not yet due (see above).
cat >"$TMP/booking-template.sql" <<'SQL'
\set k :k + 1
\set r :client_id * :p + :k % :p + 1
\set t :t0 + 900 * (:k % :nsess)
\set key :run * 1000000000 + :client_id * 10000000 + :k
-- auth::load_user, the account and its staff role in one query (the session itself is
-- in memory: no SQL); pgbench computes the id
SELECT "users"."id", "users"."email", "users"."display_name", (SELECT "role" FROM "staff_roles" WHERE "staff_roles"."user_id" = "users"."id" AND "staff_roles"."city_id" = :city LIMIT 1) AS "role" FROM "users" WHERE "users"."id" = ('00000000-0000-4000-8000-' || lpad(:r::text, 12, '0'))::uuid LIMIT 1
\gset u_
-- idempotency::begin
INSERT INTO "idempotency_keys" ("user_id", "key", "request_hash", "state", "response_status", "response_body", "locked_until", "created_at", "expires_at") VALUES (:u_id, :key, :hash, 'in_flight', NULL, NULL, now() + interval '30 seconds', now(), now() + interval '24 hours') ON CONFLICT ("user_id", "key") DO NOTHING;
-- service::create, one transaction: the offer with its listing and the recipient (the
-- listing's organization), the session (the contact comes from the account read above;
-- lapsed holds are looked for only when a time is full), then lock the resident, take the
-- seat, check, insert, record, store the answer
BEGIN;
SELECT @offers:A@, @listings:B@, (SELECT "organizations"."name" FROM "organizations" WHERE "organizations"."id" = "listings"."organization_id") AS "C_organization_name" FROM "offers" INNER JOIN "listings" ON "offers"."listing_id" = "listings"."id" WHERE "offers"."id" = :offer AND "listings"."city_id" = :city LIMIT 1;
SELECT @offer_slots@ FROM "offer_slots" WHERE "offer_slots"."offer_id" = :offer AND "offer_slots"."starts_at" = to_timestamp(:t) AND "offer_slots"."status" = 'open' LIMIT 1
\gset s_
SELECT id FROM users WHERE id = :u_id FOR UPDATE;
UPDATE "offer_slots" SET "booked" = "booked" + 1 WHERE "offer_slots"."offer_id" = :offer AND "offer_slots"."starts_at" = :s_starts_at AND "offer_slots"."status" = 'open' AND "booked" < "capacity";
SELECT COUNT(*) AS num_items FROM (SELECT @bookings@ FROM "bookings" WHERE "bookings"."user_id" = :u_id AND "bookings"."offer_id" = :offer AND "bookings"."status" IN ('held', 'requested', 'confirmed') AND "bookings"."starts_at" >= now() AND "bookings"."starts_at" = :s_starts_at) AS "sub_query";
INSERT INTO "bookings" ("id", "city_id", "offer_id", "slot_id", "user_id", "status", "starts_at", "ends_at", "seats", "hold_expires_at", "contact_name", "contact_email", "contact_phone", "shared", "partner_ref", "partner_pending", "partner_pending_since", "partner_checked_at", "version", "created_at", "updated_at") VALUES (gen_random_uuid(), :city, :offer, :s_id, :u_id, 'confirmed', :s_starts_at, :s_ends_at, 1, NULL, :u_display_name, NULL, NULL, :shared, NULL, NULL, NULL, NULL, 1, now(), now()) RETURNING @bookings_ret@
\gset b_
-- outbox::record: the event and its delivery in one statement
WITH e AS (INSERT INTO "outbox_events" ("city_id", "aggregate_type", "aggregate_id", "event_type", "payload", "created_at", "processed_at", "attempts", "last_error") VALUES (:city, 'booking', :b_id, 'booking.confirmed', :payload, now(), NULL, 0, NULL) RETURNING "id") INSERT INTO "outbox_deliveries" ("event_id", "consumer", "aggregate_id", "attempts", "next_attempt_at", "last_error", "done_at") SELECT e."id", c."consumer", :b_id, 0, now() + interval '1 day', NULL, NULL FROM e CROSS JOIN (VALUES ('notifications')) AS c ("consumer");
UPDATE "idempotency_keys" SET "state" = 'done', "response_status" = 201, "response_body" = :resp WHERE "idempotency_keys"."user_id" = :u_id AND "idempotency_keys"."key" = :key;
COMMIT;
SQL
# Column lists as the server's SELECT and RETURNING name them: every column of the table.
cols() { # cols TABLE [plain]
    sql "SELECT string_agg(CASE WHEN '${2:-}' = 'plain' THEN '' ELSE '\"$1\".' END || '\"' || column_name || '\"', ', '
         ORDER BY ordinal_position) FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = '$1'"
}
# The same as sea-orm's select_also names them: "offers"."id" AS "A_id", ...
acols() { # acols TABLE PREFIX
    sql "SELECT string_agg('\"$1\".\"' || column_name || '\" AS \"$2_' || column_name || '\"', ', '
         ORDER BY ordinal_position) FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = '$1'"
}
cp "$TMP/booking-template.sql" "$TMP/booking.sql"
for ta in offers:A listings:B; do
    c=$(acols "${ta%%:*}" "${ta##*:}") && [[ -n "$c" ]] || die "no columns of ${ta%%:*}"
    sed -i "s/@$ta@/$c/g" "$TMP/booking.sql"
done
for t in offer_slots bookings; do
    c=$(cols "$t") && [[ -n "$c" ]] || die "no columns of $t"
    sed -i "s/@$t@/$c/g" "$TMP/booking.sql"
done
c=$(cols bookings plain) && [[ -n "$c" ]] || die "no columns of bookings"
sed -i "s/@bookings_ret@/$c/g" "$TMP/booking.sql"
! grep -q '@[a-z_]*@' "$TMP/booking.sql" || die "placeholders left in the pgbench script"
# A real answer of the server, stored by pgbench as the idempotent response: the owner
# books the contended offer's spare session (the one after the bursts' sessions).
SAMPLE_BODY=$(api POST /api/v1/bookings -H "Idempotency-Key: sample-$RUN_ID" \
    -d "{\"offer_id\": \"$CONTENDED_OFFER\", \"starts_at\": \"$(sed -n "$((BURSTS + 1))p" "$TMP/sessions.txt")\"}") \
    || die "a sample booking failed"
[[ "$(jq -r .status <<<"$SAMPLE_BODY")" == confirmed ]] || die "a sample booking failed: $SAMPLE_BODY"
SAMPLE_ID=$(jq -r .id <<<"$SAMPLE_BODY")
SHARED=$(sql "SELECT shared::text FROM bookings WHERE id = '$SAMPLE_ID'")

# ---------------------------------------------------------------------------
# wrk Lua for the uncontended API runs
# ---------------------------------------------------------------------------
{
    printf 'local P, S, THREADS = %d, %d, %d\n' "$P" "$SESSIONS" "$THREADS"
    echo "local offers = {"
    for id in "${API_OFFERS[@]}"; do printf '  "%s",\n' "$id"; done
    echo "}"
    echo "local starts = {"
    while read -r t; do printf '  "%s",\n' "$t"; done <"$TMP/sessions.txt"
    echo "}"
    echo "local cookies = {"
    head -n "$API_RESIDENTS" "$TMP/residents.tsv" | while IFS=$'\t' read -r _ c; do printf '  "%s",\n' "$c"; done
    echo "}"
    cat <<'LUA'
local threads = {}
local count = 0
function setup(thread)
  count = count + 1
  thread:set("tid", count)
  table.insert(threads, thread)
end
created = 0
other = 0
exhausted = 0
sample = ""
local run, offer, base, k, prefix
function init(args)
  run = tonumber(args[1])
  offer = offers[run * THREADS + tid]
  base = (tid - 1) * P
  prefix = "api-" .. args[2] .. "-" .. run .. "-" .. tid .. "-"
  k = -1
end
function request()
  k = k + 1
  if k >= P * S then exhausted = exhausted + 1 end
  local body = '{"offer_id":"' .. offer .. '","starts_at":"' .. starts[k % S + 1] .. '"}'
  return wrk.format("POST", "/api/v1/bookings", {
    ["Content-Type"] = "application/json",
    ["Cookie"] = cookies[base + k % P + 1],
    ["Idempotency-Key"] = prefix .. k,
  }, body)
end
function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    if sample == "" then sample = status .. " " .. body:sub(1, 300) end
  end
end
function done(summary, latency, requests)
  local c, o, x, s = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
    x = x + t:get("exhausted")
    if s == "" then s = t:get("sample") end
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d socket_errors=%d timeouts=%d created=%d other=%d exhausted=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.connect + e.read + e.write, e.timeout, c, o, x))
  if s ~= "" then io.write("SAMPLE " .. s:gsub("\n", " ") .. "\n") end
end
LUA
} >"$TMP/booking.lua"

val() { sed -n "s/.* $1=\([-0-9.]*\).*/\1/p" <<<" $2"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

# Bookings of offers and their seats, checked against each other.
# db_counts OFFER... -> "bookings confirmed booked_sum events deliveries"
db_counts() {
    local ids
    ids=$(printf "'%s'," "$@")
    ids=${ids%,}
    sql "SELECT (SELECT count(*) FROM bookings WHERE offer_id IN ($ids)),
                (SELECT count(*) FROM bookings WHERE offer_id IN ($ids) AND status = 'confirmed'),
                (SELECT coalesce(sum(booked), 0) FROM offer_slots WHERE offer_id IN ($ids)),
                (SELECT count(*) FROM outbox_events e JOIN bookings b ON b.id = e.aggregate_id WHERE b.offer_id IN ($ids)),
                (SELECT count(*) FROM outbox_deliveries d JOIN bookings b ON b.id = d.aggregate_id WHERE b.offer_id IN ($ids))" \
        | tr '|' ' '
}

# Waits until the notifier has handled every delivery; prints seconds.
drain() {
    local start left
    start=$(now_ns)
    while :; do
        kill -0 "$NOTIFIER_PID" 2>/dev/null || die "the notifier exited: $(tail -n 5 "$TMP/notifier.log")"
        left=$(sql "SELECT count(*) FROM outbox_deliveries WHERE consumer = 'notifications' AND done_at IS NULL AND next_attempt_at < now() + interval '1 hour'")
        ((left == 0)) && break
        (($(now_ns) - start < DRAIN_TIMEOUT * 1000000000)) || { echo ">$DRAIN_TIMEOUT"; return; }
        sleep 0.5
    done
    awk -v a="$start" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'
}

# api_run RUN DURATION NOTIFIER -> sets A_* ; RUN 0 is the warm-up. NOTIFIER: `after`
# (the notifier process starts when wrk is done) or `alongside` (it runs during wrk).
api_run() {
    local run=$1 dur=$2 mode=$3 out="$TMP/wrk-$1.txt" r
    local offers=("${API_OFFERS[@]:$((run * THREADS)):$THREADS}")
    [[ "$mode" == alongside ]] && start_notifier
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$dur" --timeout 60s -s "$TMP/booking.lua" "$BASE" -- "$run" "$RUN_ID" >"$out" 2>&1 \
        || die "wrk failed (run $run): $(cat "$out")"
    r=$(grep '^RESULT ' "$out") || die "no RESULT line from wrk (run $run): $(cat "$out")"
    A_CREATED=$(val created "$r")
    local other errors timeouts exhausted dur_us
    other=$(val other "$r")
    errors=$(val socket_errors "$r")
    timeouts=$(val timeouts "$r")
    exhausted=$(val exhausted "$r")
    dur_us=$(val duration_us "$r")
    ((exhausted == 0)) || die "run $run: $exhausted requests beyond the $((P * SESSIONS)) resident/session pairs of a thread"
    ((A_CREATED > 0)) || die "run $run: no booking was created: $(cat "$out")"
    ((other == 0)) || die "run $run: $other answers were not 201: $(grep '^SAMPLE ' "$out" || true)"
    ((errors == 0 && timeouts == 0)) || die "run $run: $errors socket errors, $timeouts timeouts: $(cat "$out")"
    A_RPS=$(awk -v n="$A_CREATED" -v us="$dur_us" 'BEGIN { printf "%.0f", n / (us / 1e6) }')
    A_P50=$(ms "$(val p50_us "$r")")
    A_P90=$(ms "$(val p90_us "$r")")
    A_P99=$(ms "$(val p99_us "$r")")
    A_MAX=$(ms "$(val max_us "$r")")
    [[ "$mode" == after ]] && start_notifier
    A_DRAIN=$(drain)
    stop_notifier
    # Every 201 is a confirmed booking holding its seat, with its event and delivery
    # (requests still in flight when wrk stopped may have booked too).
    local n conf booked ev del
    read -r n conf booked ev del <<<"$(db_counts "${offers[@]}")"
    ((n >= A_CREATED && n <= A_CREATED + CONNECTIONS)) \
        || die "run $run: $n bookings in the database for $A_CREATED answers 201"
    ((conf == n && booked == n && ev == n && del == n)) \
        || die "run $run: $n bookings, $conf confirmed, $booked seats taken, $ev events, $del deliveries"
    A_DB=$n
}

# pgbench_run RUN DURATION_S -> sets G_*
pgbench_run() {
    local run=$1 secs=$2 out="$TMP/pgbench-$1.txt"
    "$PGBENCH" -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$secs" -f "$TMP/booking.sql" \
        -D k=-1 -D p="$P" -D nsess="$SESSIONS" -D t0="$T0" -D run="$run" \
        -D offer="${PGB_OFFERS[$run]}" -D listing="$LISTING" -D city="$CITY" \
        -D shared="$SHARED" -D resp="$SAMPLE_BODY" -D hash="$(printf '%064d' 0)" \
        -D payload="{\"status\": \"confirmed\", \"offer_id\": \"${PGB_OFFERS[$run]}\"}" \
        "$PG_URL" >"$out" 2>&1 || die "pgbench failed (run $run): $(tail -n 20 "$out")"
    G_TX=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
    G_FAILED=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
    G_TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out")
    G_LAT=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")
    [[ -n "$G_TX" && -n "$G_TPS" ]] || die "pgbench (run $run): no result: $(cat "$out")"
    [[ -z "$G_FAILED" || "$G_FAILED" == 0 ]] || die "pgbench (run $run): $G_FAILED failed transactions: $(cat "$out")"
    G_TPS=$(printf '%.0f' "$G_TPS")
    local n conf booked ev del
    read -r n conf booked ev del <<<"$(db_counts "${PGB_OFFERS[$run]}")"
    ((n == G_TX && conf == n && booked == n && ev == n && del == n)) \
        || die "pgbench run $run: $G_TX transactions, $n bookings, $conf confirmed, $booked seats taken, $ev events, $del deliveries"
    # Its deliveries were written not due; nobody is to be notified of them.
    sql "UPDATE outbox_deliveries SET done_at = now() WHERE done_at IS NULL
         AND aggregate_id IN (SELECT id FROM bookings WHERE offer_id = '${PGB_OFFERS[$run]}')" >/dev/null
}

# ---------------------------------------------------------------------------
# 1. Uncontended: API and pgbench, alternating
# ---------------------------------------------------------------------------
declare -a ROWS=()
if ((WARMUP_S > 0)); then
    log "warm-up: API ($WARMUP), pgbench (${WARMUP_S}s)"
    api_run 0 "$WARMUP" after
    pgbench_run 0 "$WARMUP_S"
fi
LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
API_SUM=0
ALONG_SUM=0
PGB_SUM=0
for ((round = 1; round <= ROUNDS; round++)); do
    log "round $round: API, $CONNECTIONS connections, $DURATION; then the notifier"
    api_run $((2 * round - 1)) "$DURATION" after
    log "  $A_RPS bookings/s, p50 $A_P50 ms, p99 $A_P99 ms; the notifier done $A_DRAIN s after it started"
    consumer_rate=$(awk -v n="$A_DB" -v w="$A_DRAIN" 'BEGIN { if (w ~ /^[0-9.]+$/ && w > 0) printf "%.0f", n / w; else print "?" }')
    ROWS+=("| $round | API \`POST /api/v1/bookings\` (wrk); the notifier after it | $A_CREATED | **$A_RPS** | $A_P50 | $A_P90 | $A_P99 | $A_MAX | $A_DB bookings, all confirmed, as many seats, events and deliveries; the notifier, started after the run, had sent them ${A_DRAIN} s later (about $consumer_rate events/s) |")
    API_SUM=$((API_SUM + A_RPS))
    log "round $round: API, $CONNECTIONS connections, $DURATION, the notifier alongside"
    api_run $((2 * round)) "$DURATION" alongside
    log "  $A_RPS bookings/s, p50 $A_P50 ms, p99 $A_P99 ms; the notifier done $A_DRAIN s after the run"
    consumer_rate=$(awk -v n="$A_DB" -v d="$DURATION_S" -v w="$A_DRAIN" 'BEGIN { if (w ~ /^[0-9.]+$/) printf "%.0f", n / (d + w); else print "?" }')
    ROWS+=("| $round | API \`POST /api/v1/bookings\` (wrk); the notifier alongside | $A_CREATED | **$A_RPS** | $A_P50 | $A_P90 | $A_P99 | $A_MAX | $A_DB bookings, all confirmed, as many seats, events and deliveries; the notifier done ${A_DRAIN} s after the run (about $consumer_rate events/s from the start of the run) |")
    ALONG_SUM=$((ALONG_SUM + A_RPS))
    log "round $round: pgbench, $CONNECTIONS clients, ${DURATION_S}s"
    pgbench_run "$round" "$DURATION_S"
    log "  $G_TPS bookings/s, mean latency $G_LAT ms"
    ROWS+=("| $round | pgbench, the same SQL | $G_TX | **$G_TPS** | mean $G_LAT | | | | $G_TX bookings, all confirmed, as many seats, events and deliveries |")
    PGB_SUM=$((PGB_SUM + G_TPS))
done
LOADAVG_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
API_MEAN=$((API_SUM / ROUNDS))
ALONG_MEAN=$((ALONG_SUM / ROUNDS))
ALONG_PCT=$(awk -v a="$ALONG_SUM" -v g="$PGB_SUM" 'BEGIN { printf "%.0f", 100 * a / g }')
PGB_MEAN=$((PGB_SUM / ROUNDS))
RATIO_PCT=$(awk -v a="$API_SUM" -v g="$PGB_SUM" 'BEGIN { printf "%.0f", 100 * a / g }')

# ---------------------------------------------------------------------------
# 2. Contention: CLIENTS residents, one session of CAPACITY seats
# ---------------------------------------------------------------------------
declare -a BURST_ROWS=()
for ((b = 1; b <= BURSTS; b++)); do
    starts=$(sed -n "${b}p" "$TMP/sessions.txt")
    log "burst $b: $CLIENTS residents book the session at $starts ($CAPACITY seats)"
    node "$TMP/client.js" burst 127.0.0.1 "$PORT" "$TMP/residents.tsv" "$CLIENTS" "$CONTENDED_OFFER" \
        "$starts" "burst-$RUN_ID-$b" "$TMP/burst-$b.json" || die "the burst client failed"
    j="$TMP/burst-$b.json"
    n201=$(jq '.statuses["201"] // 0' "$j")
    n409=$(jq '.statuses["409"] // 0' "$j")
    nfull=$(jq '.problem_types["409 /problems/full"] // 0' "$j")
    nprob=$(jq '.content_types["409 application/problem+json"] // 0' "$j")
    nconf=$(jq '.booking_status.confirmed // 0' "$j")
    [[ "$n201" == "$CAPACITY" && "$n409" == $((CLIENTS - CAPACITY)) && "$nfull" == "$n409" && "$nprob" == "$n409" && "$nconf" == "$n201" ]] \
        || die "burst $b: expected $CAPACITY × 201 (confirmed) and $((CLIENTS - CAPACITY)) × 409 problem+json /problems/full, got $(jq -c '{statuses, problem_types, content_types, booking_status, samples}' "$j")"
    read -r db_conf db_all db_booked db_cap db_keys <<<"$(sql "SELECT
        (SELECT count(*) FROM bookings WHERE offer_id = '$CONTENDED_OFFER' AND starts_at = '$starts' AND status = 'confirmed'),
        (SELECT count(*) FROM bookings WHERE offer_id = '$CONTENDED_OFFER' AND starts_at = '$starts'),
        (SELECT booked FROM offer_slots WHERE offer_id = '$CONTENDED_OFFER' AND starts_at = '$starts'),
        (SELECT capacity FROM offer_slots WHERE offer_id = '$CONTENDED_OFFER' AND starts_at = '$starts'),
        (SELECT count(*) FROM idempotency_keys WHERE key LIKE 'burst-$RUN_ID-$b-%' AND state = 'done')" | tr '|' ' ')"
    [[ "$db_conf" == "$CAPACITY" && "$db_all" == "$CAPACITY" && "$db_booked" == "$CAPACITY" && "$db_cap" == "$CAPACITY" && "$db_keys" == "$CLIENTS" ]] \
        || die "burst $b: the database has $db_conf confirmed of $db_all bookings, booked $db_booked of $db_cap seats, $db_keys stored answers"
    lat() { jq -r ".latency_$1.$2" "$j"; }
    log "  $n201 × 201, $n409 × 409 /problems/full; p50 $(lat all p50) ms, p99 $(lat all p99) ms, max $(lat all max) ms"
    BURST_ROWS+=("| $b | $n201 | $n409 | $db_conf / $db_booked of $db_cap | $(jq '.send_spread_ms * 100 | round / 100' "$j") | $(lat all p50) | $(lat all p90) | **$(lat all p99)** | $(lat all max) | $(lat 201 p50) / $(lat 201 max) | $(lat 409 p50) / $(lat 409 p99) | $(jq '.wall_ms | round' "$j") |")
    B_P50_SUM=$(awk -v s="${B_P50_SUM:-0}" -v v="$(lat all p50)" 'BEGIN { print s + v }')
    B_P99_MAX=$(awk -v s="${B_P99_MAX:-0}" -v v="$(lat all p99)" 'BEGIN { print (v > s) ? v : s }')
done
start_notifier
DRAIN_BURSTS=$(drain)
stop_notifier
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
RSS_END=$(proc_kb VmRSS)
HWM_END=$(proc_kb VmHWM)
stop_server

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
NPROC=$(nproc)
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[[ -n "$CPU" ]] || CPU=$(lscpu 2>/dev/null | awk -F': *' '/^Model name/ { print $2; exit }')
MEM_TOTAL=$(awk '$1 == "MemTotal:" { printf "%.1f GB", $2 * 1024 / 1e9 }' /proc/meminfo)
# shellcheck source=/dev/null
OS=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}" || echo "?")
WRK_V=$({ wrk -v 2>&1 || true; } | head -n 1 | awk '{ print $1, $2, $3 }')
PGBENCH_V=$("$PGBENCH" --version | head -n 1)
NODE_V="Node.js $(node --version)"
met() { if awk "BEGIN { exit !($1) }"; then echo yes; else echo "**no**"; fi; }
B_P50_MEAN=$(awk -v s="$B_P50_SUM" -v n="$BURSTS" 'BEGIN { printf "%.1f", s / n }')

mkdir -p "$(dirname "$OUT")"
{
    echo "# Booking benchmarks"
    echo
    echo "Written by \`bench/booking.sh\`; run it again to refresh this file."
    echo
    echo "| setup | |"
    echo "|---|---|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| commit | \`$COMMIT\` |"
    echo "| machine | $NPROC CPUs (nproc), $CPU, $MEM_TOTAL RAM, $OS, Linux $(uname -r) |"
    echo "| load average (1, 5, 15 min) after the build / at the end | $LOADAVG_START / $LOADAVG |"
    echo "| run time | $(( ($(date +%s) - RUN_START + 30) / 60 )) min after the build |"
    echo "| tools | $PORTAL_V (release build), $PG_V, $PGBENCH_V, $WRK_V, $NODE_V, $(curl --version | head -n 1 | cut -d' ' -f1-2), $(jq --version) |"
    echo "| server | 127.0.0.1, a fresh PostgreSQL database on $PG_ORIGIN (dropped at the end), pool of 32 connections; sessions in memory (no Redis), no Meilisearch, no \`SMTP_URL\` (booking notifications become log lines), \`NOTIFIER=external\`: they are sent by a \`city-portal notifier\` process of the same build and settings; \`LOG=warn\`, \`CITY_TIMEZONE=$TZ_CITY\` |"
    echo "| data | through the API: an owner's organization and published listing, $((API_RUNS * THREADS + PGB_RUNS)) class offers of $SESSIONS sessions × $SEATS seats (15 minutes apart from $FIRST_DAY), one of $BURSTS session(s) × $CAPACITY seats; $REGISTER residents registered ($REGISTER_S s, 4 at a time); $PGB_RESIDENTS residents for pgbench copied in SQL |"
    echo
    echo "## Summary"
    echo
    echo "| measure | result | target | met |"
    echo "|---|---|---|---|"
    echo "| 1. uncontended bookings/s through the API vs. pgbench running the same SQL on the same PostgreSQL ($CONNECTIONS clients, mean of $ROUNDS runs each); the notifications sent after the run, as by a notifier on another machine | API $API_MEAN/s vs. pgbench $PGB_MEAN/s: **$RATIO_PCT%** | ≥ $RATIO_TARGET_PCT% | $(met "$RATIO_PCT >= $RATIO_TARGET_PCT") |"
    echo "| 1. the same with the notifier sending them alongside, on the same $(nproc) CPUs (the load of the default \`NOTIFIER=server\`) | API $ALONG_MEAN/s vs. pgbench $PGB_MEAN/s: $ALONG_PCT% | — | — |"
    echo "| 2. $CLIENTS residents book one session of $CAPACITY seats at once ($BURSTS bursts) | every burst: exactly $CAPACITY × 201 confirmed, $((CLIENTS - CAPACITY)) × 409 \`/problems/full\`; in the database $CAPACITY confirmed bookings and \`booked\` = $CAPACITY | exactly $CAPACITY confirmed | yes |"
    echo "| 2. latency of those requests | p50 $B_P50_MEAN ms (mean of the bursts), **p99 $B_P99_MAX ms** (the highest of the bursts) | reported | — |"
    echo "| 3. the server's memory (VmRSS from /proc) after registering the $REGISTER residents / at the end; peak (VmHWM) | $(mb "$RSS_REGISTERED") MB / $(mb "$RSS_END") MB; peak $(mb "$HWM_END") MB | reported | — |"
    echo
    echo "## 1. Uncontended bookings"
    echo
    echo "\`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout 60s\` and \`pgbench -n -M prepared -c $CONNECTIONS -j $THREADS -T $DURATION_S\`,"
    echo "alternating, after a warm-up of each ($WARMUP, into offers of their own). Every wrk"
    echo "thread and every pgbench client books for its own $P residents into its own offer"
    echo "of the run: its k-th booking is resident k mod $P, session k mod $SESSIONS, so no"
    echo "two bookings in flight lock the same user row or update the same session row,"
    echo "and no pair repeats. Bookings/s counts answers 201 (every answer was 201) and"
    echo "pgbench's committed transactions; after each run the database holds exactly that"
    echo "many confirmed bookings (wrk: up to $CONNECTIONS more, answered after it stopped"
    echo "counting), seats taken, outbox events and deliveries. Latencies in ms."
    echo
    echo "| round | side | bookings | bookings/s | p50 | p90 | p99 | max | checked in the database |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "Load average before / after these runs: $LOADAVG_BEFORE / $LOADAVG_AFTER."
    echo
    echo "### The pgbench script"
    echo
    echo "The statements of one \`POST /api/v1/bookings\` (resident logged in by session"
    echo "cookie, class session, instant confirmation), in the server's order, taken from"
    echo "PostgreSQL's statement log of a booking (\`log_statement = all\`). The server runs"
    echo "the ones between \`BEGIN\` and \`COMMIT\` in one transaction and the others on their"
    echo "own, through sqlx's cached prepared statements (hence \`-M prepared\`)."
    echo "Differences: values the server binds (ids, times, the response it stores) are"
    echo "pgbench variables, \`now()\` or expressions; the delivery is written as not due yet"
    echo "so the server's notification consumer leaves pgbench's bookings alone (they are"
    echo "marked done after the run)."
    echo
    echo '```sql'
    cat "$TMP/booking.sql"
    echo '```'
    echo
    echo "## 2. $CLIENTS residents, one session of $CAPACITY seats"
    echo
    echo "$CLIENTS residents (registered through the API, each with its session cookie) on"
    echo "$CLIENTS open keep-alive connections (each answered a \`GET /healthz\` first) send one"
    echo "\`POST /api/v1/bookings\` each for the same session; a Node script writes the $CLIENTS"
    echo "requests in one loop (\"spread\": from the first to the last written) and times each"
    echo "from its write to the end of its answer. Checked per burst: $CAPACITY answers 201 with a"
    echo "\`confirmed\` booking, $((CLIENTS - CAPACITY)) answers 409 \`application/problem+json\` of type"
    echo "\`/problems/full\`; in the database $CAPACITY bookings of the session, all confirmed, its"
    echo "\`booked\` = $CAPACITY, and all $CLIENTS Idempotency-Keys stored with their answers. ms:"
    echo
    echo "| burst | 201 | 409 | database: confirmed / booked of seats | spread | p50 | p90 | p99 | max | 201: p50 / max | 409: p50 / p99 | all answered after |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${BURST_ROWS[@]}"
    echo
    echo "The notifier, started after the last burst, had handled every booking event ${DRAIN_BURSTS} s later."
    echo
    echo "## Notes"
    echo
    echo "- On this $NPROC-CPU machine wrk ($THREADS threads), the portal and PostgreSQL share the"
    echo "  cores (pgbench and PostgreSQL in the pgbench runs), so absolute rates understate"
    echo "  dedicated servers; other processes running at the same time (see the load"
    echo "  average) add noise. Compare the rounds."
    echo "- The API side does more than the SQL: HTTP, JSON, the session lookup (in memory"
    echo "  here; Redis in a multi-server setup). Each booking also makes a notification"
    echo "  (an email, here a log line), sent from the outbox by the notifier: reading the"
    echo "  event and the booking's facts, composing the message and its \`.ics\`, marking it"
    echo "  done. That is work after the request, not in pgbench's script, so the target is"
    echo "  measured with the notifier started after each run, as when it runs on another"
    echo "  machine (\`NOTIFIER=external\`); the runs with the notifier alongside show what it"
    echo "  costs on the same CPUs, as with the default \`NOTIFIER=server\`. pgbench's"
    echo "  bookings get no notifications, and the server is idle during its runs."
    echo "- Round trips to PostgreSQL per booking: pgbench makes one per statement of the"
    echo "  script. The server makes the same, plus one for each connection it gives back to"
    echo "  its pool (sqlx 0.8 tests every returned connection with a Sync message; that is"
    echo "  not a statement, so it is not in the script): three per booking (the account,"
    echo "  the Idempotency-Key, the booking's transaction). On 2 shared CPUs each round trip"
    echo "  is two context switches; a CPU profile of the server under this load (perf,"
    echo "  5 s) shows about a third of its time in system calls, mostly sending on sockets."
    echo "- In part 2 every request, refused or not, runs the statements before the seat's"
    echo "  \`UPDATE\` (the user, the Idempotency-Key, offer, listing, session, contact,"
    echo "  recipient, holds) on the server's pool of 32 connections, and the \`UPDATE\`s of one"
    echo "  session wait for each other's transactions; so a refusal (409) takes about as long"
    echo "  as a confirmation."
    echo "- Every booking of part 1 is a new resident/session pair, so the \"already booked\""
    echo "  check never refuses; the offers have no per-resident limit (\`max_active_per_resident\`"
    echo "  0), so that count is not run (an offer with a limit adds one \`COUNT\`)."
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote ${OUT#"$ROOT"/}"
cat "$OUT"
