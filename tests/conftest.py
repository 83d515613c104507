"""Shared fixtures: the third-party corpus and the project's paths."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The corpus lives next to the project (../shared/corpus); GMW_CORPUS points elsewhere.
CORPUS = Path(os.environ.get("GMW_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"third-party corpus not found at {CORPUS} (set GMW_CORPUS)")
    return CORPUS
