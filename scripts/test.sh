#!/usr/bin/env bash
# The test command: installs what is missing (Debian packages, the venv), then runs every test.
# Integration tests start throwaway wikis of their own, on SQLite and on MariaDB (or reuse
# GMW_TEST_WIKI_DIR / GMW_TEST_MARIADB_WIKI_DIR); here they must run, so a wiki that cannot start fails
# the run instead of skipping it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

"$REPO_ROOT/scripts/install-packages.sh" sqlite mariadb
VENV="$("$REPO_ROOT/scripts/setup-venv.sh")"

export GMW_REQUIRE_WIKI="${GMW_REQUIRE_WIKI:-1}"
set +e
"$VENV/bin/python" -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
    echo "error: pytest collected no tests: that is a failure, not a pass" >&2
    exit 1
fi
exit "$rc"
