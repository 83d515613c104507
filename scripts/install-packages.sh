#!/usr/bin/env bash
# Installs the Debian packages the local wiki needs, only those missing (MediaWiki 1.39, PHP, SQLite, Lua).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES=(mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml php-curl php-apcu
          php-luasandbox lua5.1 curl ca-certificates)
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
# --no-install-recommends keeps Apache and MySQL out: PHP's own server and SQLite are all we use.
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
