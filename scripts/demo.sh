#!/usr/bin/env bash
# The main job, on a fresh machine or an old one: install what is missing, start the local Great
# Multiverse Wiki, install the bots' templates, publish the sample universe Earth-1389 (the seed
# article and the pages it mentions), check it and publish the report, build its timeline. Prints where
# to look.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

step() { printf '\n==> %s\n' "$*"; }

step "Debian packages and the Python environment"
"$REPO_ROOT/scripts/install-packages.sh"
VENV="$("$REPO_ROOT/scripts/setup-venv.sh")"
PY="$VENV/bin/python"

step "The local wiki"
"$REPO_ROOT/scripts/wiki-up.sh" >/dev/null

step "Templates (infobox with TemplateData, {{Universe}}, {{OldStyleDate}}, categories)"
"$PY" -m bots.install_templates

step "Publishing the sample universe Earth-1389 from data/universes/"
echo "(the pre-publish checks hold back a page with an error-level finding: expect the seed's page)"
"$PY" -m bots.publish -source:data/universes -summary:"Publish the sample universe Earth-1389"

step "Publishing the seed article as its author wrote it, calendar error included (-force)"
"$PY" -m bots.publish -source:data/universes -force -summary:"Publish the seed article as written"

step "Checking the universe on the wiki and publishing the report"
set +e
"$PY" -m bots.check -cat:Earth-1389 -report
rc=$?
set -e
case "$rc" in
    0|1) ;;   # 1: error-level findings, which the sample has on purpose
    *) die "the check failed (exit $rc)" ;;
esac

step "Building the sample universe's timeline (Timeline of Earth-1389)"
"$PY" -m bots.timeline -cat:Earth-1389 -universe:Earth-1389 -summary:"Build the timeline of Earth-1389"

base="http://127.0.0.1:${GMW_WIKI_PORT}/index.php"
cat <<EOT

Done. The local wiki runs at http://127.0.0.1:${GMW_WIKI_PORT}/ (data in $GMW_WIKI_DIR).
  The seed article:  $base/October_Revolution
  The check report:  $base/Project:Consistency_report/Earth-1389
  All reports:       $base/Project:Consistency_report
  The timeline:      $base/Timeline_of_Earth-1389
  Bot password file: $GMW_WIKI_DIR/bot-password.py (a BotPassword; never in git)
Fix the calendar error with:  $PY -m bots.check -page:"October Revolution" -fix -simulate   (then without -simulate)
Stop the wiki with:           scripts/wiki-down.sh   (add --purge to delete its data)
EOT
