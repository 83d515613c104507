"""Bounded loading of the files people configure: records, jobs and check configuration (YAML/JSON).

A records file is as untrusted as a page. YAML aliases make a 441-byte file stand for gigabytes
once the data is walked (the "billion laughs"), and even without them a small file can hold a
million nodes (650 MB in PyYAML's composer) or nest deeply enough to exhaust the stack. So:

- aliases (`*name`, and with them `<<: *name` merge keys) are refused, naming the line;
- a file is read only up to `max_bytes`, and its YAML nodes (or JSON values) are counted against
  `max_nodes` and its nesting against `max_depth` while it is composed, before any is built.

PyYAML has no such limits itself (its safe loader stops code execution, not size), hence this
small layer. Errors are LimitError (a ValueError) with the line where known.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["Limits", "LimitError", "RECORDS", "SETTINGS", "read_text", "load_yaml", "compose_yaml", "load_json"]


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_nodes: int
    max_depth: int = 64

    def describe(self) -> str:
        return (f"at most {self.max_bytes // (1024 * 1024) or 1} MB, {self.max_nodes:,} values and "
                f"{self.max_depth} levels of nesting")


# Records: 10,000 articles of 4 KB make a 40 MB file of about 200,000 nodes (benchmarks/synth.py).
RECORDS = Limits(max_bytes=64 * 1024 * 1024, max_nodes=300_000)
# jobs.yaml and check-config.yaml: a few hundred lines.
SETTINGS = Limits(max_bytes=1024 * 1024, max_nodes=20_000)


class LimitError(ValueError):
    """A file refused by the limits (or a YAML alias); `line` is 1-based where known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def read_text(path: Path, limits: Limits) -> str:
    """The file as UTF-8, refused (LimitError) beyond `max_bytes` before it is read in full.
    OSError and UnicodeDecodeError are the caller's to report, as before."""
    with open(path, "rb") as f:
        data = f.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise LimitError(f"the file is larger than {limits.max_bytes} bytes ({limits.describe()})")
    return data.decode("utf-8")


def _limited(base: type[yaml.SafeLoader], limits: Limits) -> type[yaml.SafeLoader]:
    class Limited(base):   # type: ignore[misc, valid-type]
        _nodes = 0
        _depth = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise LimitError(f"YAML aliases are not accepted (*{event.anchor}): write the value out",
                                 event.start_mark.line + 1)
            mark = self.peek_event().start_mark
            self._nodes += 1
            if self._nodes > limits.max_nodes:
                raise LimitError(f"more than {limits.max_nodes:,} values ({limits.describe()})", mark.line + 1)
            self._depth += 1
            if self._depth > limits.max_depth:
                raise LimitError(f"nested more than {limits.max_depth} levels deep", mark.line + 1)
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return Limited


def _check_size(text: str, limits: Limits) -> None:
    if len(text) > limits.max_bytes:
        raise LimitError(f"larger than {limits.max_bytes} bytes ({limits.describe()})")


def load_yaml(text: str, limits: Limits, loader: type[yaml.SafeLoader] = yaml.SafeLoader):
    """yaml.load with `loader` (SafeLoader or a subclass of it) within `limits`."""
    _check_size(text, limits)
    try:
        return yaml.load(text, Loader=_limited(loader, limits))   # noqa: S506 - a SafeLoader subclass
    except LimitError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:    # "2001-13-45", 5,000-digit integers ...
        raise LimitError(f"a value cannot be read: {exc}") from None


def compose_yaml(text: str, limits: Limits):
    """yaml.compose (the node tree, with line marks) within `limits`."""
    _check_size(text, limits)
    return yaml.compose(text, Loader=_limited(yaml.SafeLoader, limits))


def load_json(text: str, limits: Limits):
    """json.loads within `limits`. The values are bounded before parsing: every value but the first
    follows a ',', '[', '{' or ':' (counted in strings too, which only errs on the safe side).
    Nesting deeper than Python's recursion limit is a RecursionError in json: refused as well."""
    _check_size(text, limits)
    if sum(text.count(c) for c in ",[{:") > 2 * limits.max_nodes:
        raise LimitError(f"more than {limits.max_nodes:,} values ({limits.describe()})")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise LimitError("nested too deeply") from None
    except ValueError as exc:               # a 5,000-digit number
        raise LimitError(f"a value cannot be read: {exc}") from None
