# Shared settings of the operation scripts: sourced, never run.
# GMW_WIKI_DIR / GMW_WIKI_PORT name one local instance; several can run side by side.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GMW_WIKI_DIR="${GMW_WIKI_DIR:-$REPO_ROOT/.wiki}"
GMW_WIKI_PORT="${GMW_WIKI_PORT:-8080}"
# GMW_WIKI_DB: the database of a new instance, sqlite (default) or mariadb. An existing instance keeps
# the one it was made with (wiki_db below reads it from its LocalSettings.php).
MW_CODE=/usr/share/mediawiki
GMW_BOT_USER="${GMW_BOT_USER:-MultiverseBot}"
GMW_BOT_APP=gmw
API_URL="http://127.0.0.1:${GMW_WIKI_PORT}/api.php"

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run as root, or through sudo when there is one.
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root to run: $*"
    fi
}

server_pid() {
    local pidfile="$GMW_WIKI_DIR/server.pid"
    [ -f "$pidfile" ] || return 1
    local pid; pid=$(cat "$pidfile")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

api_answers() {
    curl -fsS --max-time 5 "$API_URL?action=query&meta=siteinfo&format=json" 2>/dev/null | grep -q '"sitename"'
}

# The instance's database: what its LocalSettings.php says once it exists, else what GMW_WIKI_DB asks.
wiki_db() {
    local settings="$GMW_WIKI_DIR/LocalSettings.php"
    if [ -f "$settings" ]; then
        if grep -q '^\$wgDBtype = "mysql";' "$settings"; then echo mariadb; else echo sqlite; fi
    else
        echo "${GMW_WIKI_DB:-sqlite}"
    fi
}

# The instance's folder as an absolute path, the same in every script (pid checks compare it).
resolve_wiki_dir() {
    if [ -d "$GMW_WIKI_DIR" ]; then GMW_WIKI_DIR="$(cd "$GMW_WIKI_DIR" && pwd)"; fi
    # The instance's own MariaDB server (GMW_WIKI_DB=mariadb): data, socket and logs in the wiki folder.
    MARIADB_DATA="$GMW_WIKI_DIR/mariadb"
    MARIADB_SOCKET="$GMW_WIKI_DIR/mariadb.sock"
    MARIADB_PIDFILE="$GMW_WIKI_DIR/mariadb.pid"
}

# The process exists and is not a zombie (kill -0 succeeds on one that nobody has reaped yet).
alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$state" ] && [ "$state" != Z ]
}

mariadb_pid() {
    [ -f "$MARIADB_PIDFILE" ] || return 1
    local pid; pid=$(cat "$MARIADB_PIDFILE")
    # Ours only: a stale pid file's number may belong to another process by now.
    [ -n "$pid" ] && alive "$pid" \
        && tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "--datadir=$MARIADB_DATA" \
        && echo "$pid"
}

# Stops the instance's MariaDB: a clean shutdown (TERM) first, KILL only when it takes over a minute.
mariadb_stop() {
    local pid
    pid=$(mariadb_pid) || { rm -f "$MARIADB_PIDFILE"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 600); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
        log "MariaDB (pid $pid) did not shut down within 60 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$MARIADB_PIDFILE"
    log "MariaDB stopped (pid $pid)"
}
