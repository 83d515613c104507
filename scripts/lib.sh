# Shared settings of the operation scripts: sourced, never run.
# GMW_WIKI_DIR / GMW_WIKI_PORT name one local instance; several can run side by side.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GMW_WIKI_DIR="${GMW_WIKI_DIR:-$REPO_ROOT/.wiki}"
GMW_WIKI_PORT="${GMW_WIKI_PORT:-8080}"
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
