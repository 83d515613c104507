#!/usr/bin/env bash
# The test command: installs what is missing (Debian packages, the venv), then runs every test.
# Integration tests start a throwaway wiki of their own (or reuse GMW_TEST_WIKI_DIR); here they must
# run, so a wiki that cannot start fails the run instead of skipping it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

"$REPO_ROOT/scripts/install-packages.sh"
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
