# pywikibot's configuration for the Great Multiverse Wiki bots. No secrets here: the BotPassword lives
# in the password file that scripts/wiki-up.sh writes (never in git).
#
# By default the bots talk to the local wiki of scripts/wiki-up.sh; GMW_WIKI_DIR and GMW_WIKI_PORT pick
# another local instance, and for a real deployment:
#   GMW_API_URL        the wiki's api.php URL
#   GMW_BOT_USER       the bot account (default MultiverseBot)
#   GMW_PASSWORD_FILE  pywikibot's password file holding ('User', BotPassword('app', 'secret'))
#   GMW_PUT_THROTTLE   seconds between two saves (0 on the local wiki)
#   GMW_ALLOW_HOSTS    comma-separated non-loopback hosts the bots may write to (bots/site/connection.py refuses others)
#   GMW_RETRY_BUDGET   seconds the bots keep trying a wiki that does not answer before they give up with
#                      exit 6 (default 120)
import os
import sys

# `base_dir` is pywikibot's folder of this file; the project's root.
_wiki_dir = os.path.abspath(os.environ.get('GMW_WIKI_DIR') or os.path.join(base_dir, '.wiki'))
_port = os.environ.get('GMW_WIKI_PORT') or '8080'
_api_url = os.environ.get('GMW_API_URL') or f'http://127.0.0.1:{_port}/api.php'
# "Local" (no throttle) is decided as the bots' write guard decides it: a plain URL to a loopback
# host. http://127.0.0.1.nip.io or http://localhost@example.org are not local.
if base_dir not in sys.path:
    sys.path.append(base_dir)
from bots.core.retry import retry_plan as _retry_plan  # noqa: E402
from bots.core.writeguard import is_local_url as _is_local_url  # noqa: E402
_local = _is_local_url(_api_url)

family_files['gmw'] = _api_url
family = 'gmw'
mylang = 'gmw'
usernames['gmw']['gmw'] = os.environ.get('GMW_BOT_USER') or 'MultiverseBot'
password_file = os.environ.get('GMW_PASSWORD_FILE') or os.path.join(_wiki_dir, 'bot-password.py')

# `pwb NAME` from the repo root finds the bots; cron runs `python -m bots.NAME`.
user_script_paths = ['bots']

# On the local wiki nothing needs sparing; a real wiki keeps pywikibot's polite defaults.
_throttle = float(os.environ.get('GMW_PUT_THROTTLE') or (0 if _local else 10))
put_throttle = int(_throttle) if _throttle.is_integer() else _throttle
if _local:
    minthrottle = 0
    maxthrottle = 10
# One retry budget for every bot: an unreachable wiki is reported within it (exit 6). A wiki we do not
# run is given longer first waits, as pywikibot's etiquette asks.
_plan = _retry_plan(float(os.environ.get('GMW_RETRY_BUDGET') or 120), 1 if _local else 5, 20 if _local else 60)
max_retries = _plan.max_retries
retry_wait = _plan.retry_wait
retry_max = _plan.retry_max
socket_timeout = (6.05, _plan.read_timeout)
# Never prompt: cron has no keyboard.
noisysleep = 60.0
