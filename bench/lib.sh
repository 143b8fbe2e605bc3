# shellcheck shell=bash
# Shared by the benchmark scripts in bench/ (sourced, not run): logging, installing
# tools, building the server, ports and time. Expects ROOT (the checkout) to be set.

log() { printf '[bench] %s\n' "$*" >&2; }

# die MESSAGE: prints it and the last lines of the server's log (SERVER_LOG, else
# $TMP/server.log), then exits 1.
die() {
    printf '[bench] error: %s\n' "$*" >&2
    local server_log="${SERVER_LOG:-}"
    [[ -n "$server_log" || -z "${TMP:-}" ]] || server_log="$TMP/server.log"
    if [[ -n "$server_log" && -s "$server_log" ]]; then
        printf '[bench] last lines of the server log:\n' >&2
        tail -n 20 "$server_log" >&2 || true
    fi
    exit 1
}

if [[ $EUID -eq 0 ]]; then SUDO=(); else SUDO=(sudo -n); fi

# apt_install PACKAGE...: installs Debian packages (after apt-get update).
apt_install() {
    command -v apt-get >/dev/null || die "missing $* and no apt-get to install them"
    log "installing $* with apt-get"
    "${SUDO[@]}" apt-get update -qq >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "$@" >&2 \
        || die "apt-get install $* failed"
}

# build_portal REV_DIR: builds the server with `cargo build --release -p api` (waits if
# another cargo holds the lock) from the working tree, or with BENCH_REV set from a
# clean export of that commit built in target/REV_DIR (so that the checkout's
# target/release is never touched); sets SRC, TARGET, COMMIT and BIN.
#
# With BENCH_BIN set, that release binary is used as it is, without building;
# BENCH_BIN_REV names the commit it was built from (reported as the commit).
build_portal() {
    if [[ -n "${BENCH_BIN:-}" ]]; then
        [[ -x "$BENCH_BIN" ]] || die "BENCH_BIN: no binary at $BENCH_BIN"
        BIN="$BENCH_BIN"
        COMMIT="${BENCH_BIN_REV:-unknown} (a release binary built before, BENCH_BIN)"
        log "using $BIN, built from $COMMIT"
        return
    fi
    if [[ -z "${BENCH_REV:-}" ]]; then
        SRC="$ROOT"
        TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
        [[ "$TARGET" = /* ]] || TARGET="$ROOT/$TARGET"
        COMMIT=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo "unknown")
        if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=all -- . ':!bench' 2>/dev/null)" ]]; then
            COMMIT="$COMMIT plus uncommitted changes (working tree built)"
        fi
    else
        local rev
        rev=$(git -C "$ROOT" rev-parse --verify "${BENCH_REV}^{commit}" 2>/dev/null) \
            || die "BENCH_REV: unknown commit '$BENCH_REV'"
        TARGET="$ROOT/target/$1"
        SRC="$TARGET/src"
        rm -rf "$SRC"
        mkdir -p "$SRC"
        git -C "$ROOT" archive --format=tar "$rev" | tar -x -C "$SRC" || die "git archive $rev failed"
        COMMIT="${rev:0:12} (BENCH_REV=$BENCH_REV, clean export)"
    fi
    command -v cargo >/dev/null || die "cargo not found (Rust 1.85 or newer is needed)"
    log "building $COMMIT: cargo build --release -p api (first time takes minutes)"
    (cd "$SRC" && CARGO_TARGET_DIR="$TARGET" cargo build --release -p api >&2) || die "cargo build failed"
    BIN="$TARGET/release/city-portal"
    [[ -x "$BIN" ]] || die "no binary at $BIN"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

now_ns() { date +%s%N; }

# free_port FROM: the first loopback port from FROM on that nothing listens on.
free_port() {
    local p=$1
    while port_in_use "$p"; do
        p=$((p + 1))
        ((p < $1 + 100)) || die "no free port in $1..$(($1 + 99))"
    done
    echo "$p"
}
