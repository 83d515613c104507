"""Generate article wikitext from records (YAML or JSON; see bots/core/records.py for the format).

Usage: python -m bots.generate -source:PATH -out:DIR

Options:
  -source:PATH   a records file, or a folder of them (.yaml, .yml, .json)
  -out:DIR       where the pages go: one TITLE.wikitext file per page (underscores for spaces; a title
                 too long for a file name gets a shortened name ending in ~HASH, listed with its
                 title in {index}, which check and publish read back);
                 an existing file is re-generated in place: only the generator-owned regions
                 (the infobox and the sections marked as generated) change, human edits stay
  -format:json   print the summary as JSON
  -help          this text

The infobox is built from its template's TemplateData (parameter order, required parameters);
values are escaped so that no value can break the template call or add markup. The same input
gives byte-identical output. A bad record is reported with its file, line and field; the others
are still generated.
Exit status: 0 all generated, 3 some records failed, 2 usage error.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bots.cli import ExitCode, UsageError, parse_options, print_help, usage_exit, wants_help
from bots.core.generate import apply_record
from bots.core.records import RecordError, iter_records
from bots.core.schema import load_schemas
from bots.core.sources import add_to_title_index
from bots.core.titles import TITLE_INDEX, is_shortened, title_to_filename

__doc__ = __doc__.replace("{index}", TITLE_INDEX)


def generate(source: Path, out: Path) -> dict:
    """Library entry point: write every record of `source` into `out`; returns the summary."""
    schemas = load_schemas()
    out.mkdir(parents=True, exist_ok=True)
    summary = {"written": [], "unchanged": [], "errors": []}
    for rec in iter_records(source, schemas):
        if isinstance(rec, RecordError):
            summary["errors"].append({"origin": rec.origin, "title": rec.title, "field": rec.field,
                                      "message": rec.message})
            print(f"error: {rec}", file=sys.stderr)
            continue
        name = title_to_filename(rec.title)
        path = out / (name + ".wikitext")
        try:
            old = path.read_text(encoding="utf-8") if path.exists() else None
            new = apply_record(rec, schemas[rec.template], old)
            if new == old:
                summary["unchanged"].append(rec.title)
                continue
            if is_shortened(name):      # the title is too long for a file name: the index keeps it
                add_to_title_index(out, name, rec.title)
            path.write_text(new, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            message = f"cannot write {path.name}: {exc.strerror if isinstance(exc, OSError) else exc}"
            summary["errors"].append({"origin": rec.origin, "title": rec.title, "field": None, "message": message})
            print(f"error: {rec.origin} [{rec.title}]: {message}", file=sys.stderr)
            continue
        summary["written"].append(rec.title)
    return summary


def main(*args: str) -> int:
    if wants_help(args):
        print_help(__doc__)
        return ExitCode.OK
    try:
        opts = parse_options(args, values=("source", "out", "format"))
    except UsageError as exc:
        return usage_exit(str(exc))
    if not opts.get("source") or not opts.get("out"):
        return usage_exit("-source:PATH and -out:DIR are required")
    source = Path(opts.get("source"))
    if not source.exists():
        return usage_exit(f"no such file or folder: {source}")
    summary = generate(source, Path(opts.get("out")))
    if opts.get("format") == "json":
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print(f"generated {len(summary['written'])} pages into {opts.get('out')} "
              f"({len(summary['unchanged'])} unchanged, {len(summary['errors'])} failed)")
    return ExitCode.FAILED if summary["errors"] else ExitCode.OK


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
