#!/usr/bin/env bash
# Brings up a local Great Multiverse Wiki: installs missing packages, creates the instance in
# $GMW_WIKI_DIR (default .wiki/) on first use, starts PHP's server on 127.0.0.1:$GMW_WIKI_PORT
# (default 8080), makes sure the bot account and its BotPassword exist, and waits for the API.
# GMW_WIKI_DB=mariadb makes a new instance on MariaDB instead of SQLite: its own server (mariadbd), with
# its data, unix socket and generated password inside the instance folder; no system service, no network.
# Idempotent: on a running instance it says so and exits 0. Prints the API URL on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$GMW_WIKI_DIR"
resolve_wiki_dir
DB="$(wiki_db)"
case "$DB" in sqlite|mariadb) ;; *) die "unknown GMW_WIKI_DB '$DB' (sqlite or mariadb)" ;; esac
if [ -n "${GMW_WIKI_DB:-}" ] && [ "$GMW_WIKI_DB" != "$DB" ]; then
    die "the instance in $GMW_WIKI_DIR runs on $DB, not $GMW_WIKI_DB: choose another GMW_WIKI_DIR, or delete it with scripts/wiki-down.sh --purge"
fi

# A unix socket's path has at most 107 bytes.
if [ "$DB" = mariadb ] && [ "${#MARIADB_SOCKET}" -gt 107 ]; then
    die "the path $MARIADB_SOCKET is too long for a unix socket: use a shorter GMW_WIKI_DIR"
fi

"$REPO_ROOT/scripts/install-packages.sh" "$DB"

export MW_CONFIG_FILE="$GMW_WIKI_DIR/LocalSettings.php"
# opcache and APCu as a real wiki has them (php-fpm enables both; the CLI that runs PHP's server does not by
# default): without them every request compiles MediaWiki anew and rebuilds its caches, which costs
# every client the same server time and hides what a client's round trips cost.
PHP=(php -d memory_limit=512M -d opcache.enable_cli=1 -d opcache.memory_consumption=256 -d apc.enable_cli=1)
# MariaDB serves concurrent edits, so its PHP server gets more workers than SQLite's, which writes one at a time.
if [ "$DB" = mariadb ]; then WORKERS="${GMW_WIKI_WORKERS:-8}"; else WORKERS="${GMW_WIKI_WORKERS:-4}"; fi

random_secret() {  # BotPasswords need 32+ characters of [0-9a-w]
    LC_ALL=C tr -dc '0-9a-w' </dev/urandom | head -c "$1" || true
}

# mariadbd refuses to run as root unless told to (CI runs as root); as anyone else it runs as that user.
MARIADB_AS=()
[ "$(id -u)" = 0 ] && MARIADB_AS=(--user=root)
# Only the options given here: --no-defaults keeps the system's /etc/mysql configuration (its socket,
# data folder and port) out, so several instances run side by side and none meets the system service.
mariadb_opts() {
    printf '%s\n' --no-defaults "--datadir=$MARIADB_DATA" "--socket=$MARIADB_SOCKET" --skip-networking \
        --skip-name-resolve "${MARIADB_AS[@]}"
}

mariadb_client_conf() {  # for the mariadb client: `mariadb --defaults-file=$GMW_WIKI_DIR/mariadb-client.cnf`
    ( umask 077
      printf '[client]\nsocket=%s\nuser=gmw\npassword=%s\n[mysql]\ndatabase=gmw\n' "$MARIADB_SOCKET" \
          "$(cat "$GMW_WIKI_DIR/db-password")" >"$GMW_WIKI_DIR/mariadb-client.cnf" )
}

mariadb_answers() {
    mariadb-admin --defaults-file="$GMW_WIKI_DIR/mariadb-client.cnf" --connect-timeout=2 ping >/dev/null 2>&1
}

# A new data folder with the wiki's database and its user; the password is generated into the folder.
mariadb_init() {
    rm -rf "$MARIADB_DATA"
    ( umask 077; random_secret 32 >"$GMW_WIKI_DIR/db-password"; echo >>"$GMW_WIKI_DIR/db-password" )
    local sql="$GMW_WIKI_DIR/mariadb-init.sql"
    # mariadb-install-db runs this with the grant tables off; FLUSH PRIVILEGES loads them for CREATE USER.
    ( umask 077
      printf "FLUSH PRIVILEGES;\nCREATE DATABASE gmw;\nCREATE USER 'gmw'@'localhost' IDENTIFIED BY '%s';\nGRANT ALL PRIVILEGES ON gmw.* TO 'gmw'@'localhost';\n" \
          "$(cat "$GMW_WIKI_DIR/db-password")" >"$sql" )
    local opts; mapfile -t opts < <(mariadb_opts)
    mariadb-install-db "${opts[@]}" --skip-test-db --auth-root-authentication-method=socket \
        --extra-file="$sql" >"$GMW_WIKI_DIR/mariadb-install.log" 2>&1 \
        || { rm -f "$sql"; cat "$GMW_WIKI_DIR/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
    rm -f "$sql"
}

mariadb_start() {
    mariadb_client_conf
    if mariadb_pid >/dev/null && mariadb_answers; then
        return 0
    fi
    mariadb_stop   # a server that no longer answers
    local opts; mapfile -t opts < <(mariadb_opts)
    log "starting MariaDB for $GMW_WIKI_DIR (socket $MARIADB_SOCKET)"
    # Its own process group too: a Ctrl-C meant for the caller does not reach it.
    setsid /usr/sbin/mariadbd "${opts[@]}" --pid-file="$MARIADB_PIDFILE" --log-error="$GMW_WIKI_DIR/mariadb.log" \
        >>"$GMW_WIKI_DIR/mariadb.log" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$MARIADB_PIDFILE"
    for _ in $(seq 1 600); do
        mariadb_answers && return 0
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$GMW_WIKI_DIR/mariadb.log" >&2; die "MariaDB exited"; }
        sleep 0.1
    done
    die "MariaDB did not answer within 60 s; see $GMW_WIKI_DIR/mariadb.log"
}

if pid=$(server_pid) && api_answers && { [ "$DB" = sqlite ] || mariadb_pid >/dev/null; }; then
    log "wiki already running (pid $pid) in $GMW_WIKI_DIR"
    echo "$API_URL"
    exit 0
fi

if [ ! -f "$MW_CONFIG_FILE" ]; then
    log "creating a new instance on $DB in $GMW_WIKI_DIR"
    admin_pass="A$(random_secret 23)"
    ( umask 077; printf '%s\n' "$admin_pass" >"$GMW_WIKI_DIR/admin-password" )
    if [ "$DB" = mariadb ]; then
        mariadb_stop
        mariadb_init
        mariadb_start
        db_args=(--dbtype mysql --dbserver "localhost:$MARIADB_SOCKET" --dbuser gmw
                 --dbpassfile "$GMW_WIKI_DIR/db-password")
    else
        rm -rf "$GMW_WIKI_DIR/data"
        mkdir -p "$GMW_WIKI_DIR/data"
        db_args=(--dbtype sqlite --dbpath "$GMW_WIKI_DIR/data")
    fi
    "${PHP[@]}" "$MW_CODE/maintenance/install.php" --quiet "${db_args[@]}" --dbname gmw \
        --confpath "$GMW_WIKI_DIR" --server "http://127.0.0.1:$GMW_WIKI_PORT" --scriptpath "" \
        --extensions ParserFunctions,TemplateData,Scribunto --lang en \
        --passfile "$GMW_WIKI_DIR/admin-password" "Great Multiverse Wiki" Admin >"$GMW_WIKI_DIR/install.log" 2>&1 \
        || { cat "$GMW_WIKI_DIR/install.log" >&2; rm -f "$MW_CONFIG_FILE"; die "install.php failed"; }
    printf '\nrequire_once __DIR__ . "/GmwSettings.php";\n' >>"$MW_CONFIG_FILE"
elif [ "$DB" = mariadb ]; then
    mariadb_start
fi

# Our settings may have changed since the instance was made; the port (and the folder) may differ from last time.
cp "$REPO_ROOT/scripts/wiki-settings.php" "$GMW_WIKI_DIR/GmwSettings.php"
sed -i "s|^\$wgServer = .*|\$wgServer = \"http://127.0.0.1:$GMW_WIKI_PORT\";|" "$MW_CONFIG_FILE"
if [ "$DB" = mariadb ]; then
    sed -i "s|^\$wgDBserver = .*|\$wgDBserver = \"localhost:$MARIADB_SOCKET\";|" "$MW_CONFIG_FILE"
fi

# The bot account and its BotPassword; the password file pywikibot reads is never in git.
PASSWORD_FILE="$GMW_WIKI_DIR/bot-password.py"
if [ ! -s "$PASSWORD_FILE" ]; then
    user_pass="B$(random_secret 23)"
    bot_pass="$(random_secret 32)"
    "${PHP[@]}" "$MW_CODE/maintenance/createAndPromote.php" --force --bot --sysop \
        "$GMW_BOT_USER" "$user_pass" >/dev/null
    # A BotPassword that exists already (a lost password file) is replaced.
    "${PHP[@]}" "$MW_CODE/maintenance/createBotPassword.php" --appid "$GMW_BOT_APP" \
        --grants basic,highvolume,editpage,editprotected,createeditmovepage,import,delete,protect,uploadfile,uploadeditmovefile \
        "$GMW_BOT_USER" "$bot_pass" >/dev/null 2>&1 \
    || { "${PHP[@]}" "$MW_CODE/maintenance/sql.php" --query \
            "DELETE FROM bot_passwords WHERE bp_app_id='$GMW_BOT_APP'" >/dev/null
         "${PHP[@]}" "$MW_CODE/maintenance/createBotPassword.php" --appid "$GMW_BOT_APP" \
            --grants basic,highvolume,editpage,editprotected,createeditmovepage,import,delete,protect,uploadfile,uploadeditmovefile \
            "$GMW_BOT_USER" "$bot_pass" >/dev/null; }
    ( umask 077
      printf "('%s', BotPassword('%s', '%s'))\n" "$GMW_BOT_USER" "$GMW_BOT_APP" "$bot_pass" >"$PASSWORD_FILE.tmp" )
    mv "$PASSWORD_FILE.tmp" "$PASSWORD_FILE"
fi

if pid=$(server_pid) && api_answers; then   # only its database was down
    log "wiki up again (pid $pid): $API_URL (data in $GMW_WIKI_DIR)"
    echo "$API_URL"
    exit 0
fi
if curl -fsS --max-time 2 "http://127.0.0.1:$GMW_WIKI_PORT/" >/dev/null 2>&1; then
    die "port $GMW_WIKI_PORT is taken by another server: set GMW_WIKI_PORT"
fi

# Its own process group (setsid), so wiki-down stops the forked workers with it.
log "starting PHP's server on 127.0.0.1:$GMW_WIKI_PORT ($WORKERS workers, $DB)"
PHP_CLI_SERVER_WORKERS="$WORKERS" setsid "${PHP[@]}" \
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
