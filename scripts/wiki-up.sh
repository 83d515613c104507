#!/usr/bin/env bash
# Brings up a local Great Multiverse Wiki: installs missing packages, creates the instance in
# $GMW_WIKI_DIR (default .wiki/) on first use, starts PHP's server on 127.0.0.1:$GMW_WIKI_PORT
# (default 8080), makes sure the bot account and its BotPassword exist, and waits for the API.
# Idempotent: on a running instance it says so and exits 0. Prints the API URL on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$REPO_ROOT/scripts/install-packages.sh"

if pid=$(server_pid) && api_answers; then
    log "wiki already running (pid $pid) in $GMW_WIKI_DIR"
    echo "$API_URL"
    exit 0
fi

mkdir -p "$GMW_WIKI_DIR"
GMW_WIKI_DIR="$(cd "$GMW_WIKI_DIR" && pwd)"
export MW_CONFIG_FILE="$GMW_WIKI_DIR/LocalSettings.php"
PHP=(php -d memory_limit=512M)

random_secret() {  # BotPasswords need 32+ characters of [0-9a-w]
    LC_ALL=C tr -dc '0-9a-w' </dev/urandom | head -c "$1" || true
}

if [ ! -f "$MW_CONFIG_FILE" ]; then
    log "creating a new instance in $GMW_WIKI_DIR"
    rm -rf "$GMW_WIKI_DIR/data"
    mkdir -p "$GMW_WIKI_DIR/data"
    admin_pass="A$(random_secret 23)"
    ( umask 077; printf '%s\n' "$admin_pass" >"$GMW_WIKI_DIR/admin-password" )
    "${PHP[@]}" "$MW_CODE/maintenance/install.php" --quiet \
        --dbtype sqlite --dbpath "$GMW_WIKI_DIR/data" --dbname gmw \
        --confpath "$GMW_WIKI_DIR" --server "http://127.0.0.1:$GMW_WIKI_PORT" --scriptpath "" \
        --extensions ParserFunctions,TemplateData,Scribunto --lang en \
        --passfile "$GMW_WIKI_DIR/admin-password" "Great Multiverse Wiki" Admin >"$GMW_WIKI_DIR/install.log" 2>&1 \
        || { cat "$GMW_WIKI_DIR/install.log" >&2; rm -f "$MW_CONFIG_FILE"; die "install.php failed"; }
    printf '\nrequire_once __DIR__ . "/GmwSettings.php";\n' >>"$MW_CONFIG_FILE"
fi

# Our settings may have changed since the instance was made; the port may differ from last time.
cp "$REPO_ROOT/scripts/wiki-settings.php" "$GMW_WIKI_DIR/GmwSettings.php"
sed -i "s|^\$wgServer = .*|\$wgServer = \"http://127.0.0.1:$GMW_WIKI_PORT\";|" "$MW_CONFIG_FILE"

# The bot account and its BotPassword; the password file pywikibot reads is never in git.
PASSWORD_FILE="$GMW_WIKI_DIR/bot-password.py"
if [ ! -s "$PASSWORD_FILE" ]; then
    user_pass="B$(random_secret 23)"
    bot_pass="$(random_secret 32)"
    "${PHP[@]}" "$MW_CODE/maintenance/createAndPromote.php" --force --bot --sysop \
        "$GMW_BOT_USER" "$user_pass" >/dev/null
    # A BotPassword that exists already (a lost password file) is replaced.
    "${PHP[@]}" "$MW_CODE/maintenance/createBotPassword.php" --appid "$GMW_BOT_APP" \
        --grants basic,highvolume,editpage,editprotected,createeditmovepage,import,delete,protect \
        "$GMW_BOT_USER" "$bot_pass" >/dev/null 2>&1 \
    || { "${PHP[@]}" "$MW_CODE/maintenance/sql.php" --query \
            "DELETE FROM bot_passwords WHERE bp_app_id='$GMW_BOT_APP'" >/dev/null
         "${PHP[@]}" "$MW_CODE/maintenance/createBotPassword.php" --appid "$GMW_BOT_APP" \
            --grants basic,highvolume,editpage,editprotected,createeditmovepage,import,delete,protect \
            "$GMW_BOT_USER" "$bot_pass" >/dev/null; }
    ( umask 077
      printf "('%s', BotPassword('%s', '%s'))\n" "$GMW_BOT_USER" "$GMW_BOT_APP" "$bot_pass" >"$PASSWORD_FILE.tmp" )
    mv "$PASSWORD_FILE.tmp" "$PASSWORD_FILE"
fi

if curl -fsS --max-time 2 "http://127.0.0.1:$GMW_WIKI_PORT/" >/dev/null 2>&1; then
    die "port $GMW_WIKI_PORT is taken by another server: set GMW_WIKI_PORT"
fi

# Its own process group (setsid), so wiki-down stops the forked workers with it.
log "starting PHP's server on 127.0.0.1:$GMW_WIKI_PORT"
PHP_CLI_SERVER_WORKERS="${GMW_WIKI_WORKERS:-4}" setsid "${PHP[@]}" \
    -d upload_max_filesize=256M -d post_max_size=256M -d max_execution_time=300 \
    -S "127.0.0.1:$GMW_WIKI_PORT" -t "$MW_CODE" "$REPO_ROOT/scripts/router.php" \
    >>"$GMW_WIKI_DIR/server.log" 2>&1 </dev/null &
echo $! >"$GMW_WIKI_DIR/server.pid"
echo "$GMW_WIKI_PORT" >"$GMW_WIKI_DIR/port"

for _ in $(seq 1 300); do
    if api_answers; then
        log "wiki up: $API_URL (data in $GMW_WIKI_DIR)"
        echo "$API_URL"
        exit 0
    fi
    kill -0 "$(cat "$GMW_WIKI_DIR/server.pid")" 2>/dev/null || { tail -n 20 "$GMW_WIKI_DIR/server.log" >&2; die "the server exited"; }
    sleep 0.1
done
die "the API at $API_URL did not answer within 30 s; see $GMW_WIKI_DIR/server.log"
