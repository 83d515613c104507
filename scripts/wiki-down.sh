#!/usr/bin/env bash
# Stops the local wiki of $GMW_WIKI_DIR (its PHP server's whole process group, then its own MariaDB
# server if it has one); --purge also deletes its data.
# Idempotent: a stopped instance is not an error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purge=0
case "${1:-}" in
    --purge) purge=1 ;;
    "") ;;
    -h|--help) echo "usage: $0 [--purge]"; exit 0 ;;
    *) die "unknown option $1 (usage: $0 [--purge])" ;;
esac

resolve_wiki_dir
if pid=$(server_pid); then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "wiki stopped (pid $pid)"
else
    log "wiki not running in $GMW_WIKI_DIR"
fi
rm -f "$GMW_WIKI_DIR/server.pid"
# After the web server: no request is left that could still write.
mariadb_stop
if [ "$purge" = 1 ] && [ -d "$GMW_WIKI_DIR" ]; then
    rm -rf "$GMW_WIKI_DIR"
    log "deleted $GMW_WIKI_DIR"
fi
