#!/usr/bin/env bash
# Installs the Debian packages the local wiki needs, only those missing (MediaWiki 1.39, PHP, SQLite, Lua,
# librsvg2-bin: SVG thumbnails).
# Usage: install-packages.sh [BACKEND...]   BACKEND: sqlite (always) or mariadb; default $GMW_WIKI_DB.
# MariaDB comes only when asked for: SQLite is the default backend and needs no server.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES=(mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml php-curl php-apcu
          php-luasandbox lua5.1 curl ca-certificates librsvg2-bin)
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=("${GMW_WIKI_DB:-sqlite}")
for b in "${backends[@]}"; do
    case "$b" in
        sqlite) ;;
        # mariadb-server brings mariadb-install-db, mariadbd and the client; php-mysql lets MediaWiki reach it.
        mariadb) PACKAGES+=(mariadb-server php-mysql) ;;
        *) die "unknown wiki database '$b' (sqlite or mariadb)" ;;
    esac
done
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
log "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
# --no-install-recommends keeps Apache out: PHP's own server is all we use. The wiki's MariaDB is an
# instance of its own inside the wiki folder (scripts/wiki-up.sh); the package's system service, where
# the machine's init starts one, is not used.
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
