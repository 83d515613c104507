"""What a live check run leaves for the next `-since:last-run`: per page its findings, fixes and
cross-page summary, and when the run started (the wiki's clock).

One file per wiki and scope (the page generator options): a nightly `-cat:Earth-1389` job and an
all-pages job keep separate states. A state made under another configuration (rules switched
off, severities, exceptions, the page budget) is not reused: the next run is a full one.
"""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

from bots.core.check.config import CheckConfig

__all__ = ["CheckState", "state_path", "config_fingerprint", "load_state", "save_state"]

_VERSION = 2


@dataclass
class CheckState:
    wiki: str
    scope: str
    config: str
    started: str          # ISO timestamp, the wiki's clock at the start of the run
    data: dict            # Checker.state()
    existing: frozenset[str] = frozenset()   # main-namespace titles that existed then
    version: int = _VERSION


def state_path(state_dir: Path, wiki: str, scope: str) -> Path:
    key = hashlib.sha1(f"{wiki}\n{scope}".encode()).hexdigest()[:16]
    return state_dir / f"check-{key}.pickle"


def config_fingerprint(config: CheckConfig) -> str:
    parts = (sorted(config.disabled), sorted((k, v.value) for k, v in config.severities.items()),
             sorted(config.exceptions), config.budget)
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def load_state(path: Path, wiki: str, scope: str, config: CheckConfig) -> CheckState | None:
    """The saved state, or None when there is none usable (missing, other version/wiki/scope/config)."""
    try:
        with path.open("rb") as f:
            state = pickle.load(f)   # noqa: S301 - our own file, in our state folder
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(state, CheckState) or state.version != _VERSION:
        return None
    if (state.wiki, state.scope, state.config) != (wiki, scope, config_fingerprint(config)):
        return None
    return state


def save_state(path: Path, state: CheckState) -> None:
    """Written to a temporary file and renamed: a run killed while saving leaves the old state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
