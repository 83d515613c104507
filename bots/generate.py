"""Generate article wikitext from records (YAML or JSON; see bots/core/sources/records.py for the format).

Usage: python -m bots.generate -source:PATH -out:DIR

Options:
{options}

The infobox is built from its template's TemplateData (parameter order, required parameters);
values are escaped so that no value can break the template call or add markup. The same input
gives byte-identical output. A bad record is reported with its file, line and field; the others
are still generated. An existing file whose shape would take the parser longer than a page budget
is left as it is and reported. generate works without the wiki: pywikibot's other global options
are accepted and change nothing.
{exit}
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bots.cli import FORMAT, ExitCode, Options, Spec, UsageError, command, diff_text, path, simulate, run_as_command
from bots.core.publish.generate import apply_record
from bots.core.sources.records import RecordError, iter_records
from bots.core.wikitext.regions import TooComplex
from bots.core.wikitext.schema import load_schemas
from bots.core.sources import add_to_title_index
from bots.core.wikitext.titles import TITLE_INDEX, is_shortened, title_to_filename

SPEC = Spec((
    path("source", "a records file, or a folder of them (.yaml, .yml, .json)"),
    path("out", "where the pages go: one TITLE.wikitext file per page (underscores for spaces;\n"
         "a title too long for a file name gets a shortened name ending in ~HASH, listed\n"
         f"with its title in {TITLE_INDEX}, which check and publish read back). An existing\n"
         "file is re-generated in place: only the generator-owned regions (the infobox and\n"
         "the generated sections) change, human edits stay", metavar="DIR"),
    simulate("show the diff of every file that would change, on stdout (with -format:json in\n"
             "the document's \"diffs\"); write nothing"),
    FORMAT,
))


def generate(source: Path, out: Path, simulate: bool = False) -> dict:
    """Library entry point: write every record of `source` into `out` (with `simulate`, only the
    diffs, under "diffs"); returns the summary."""
    schemas = load_schemas()
    if not simulate:
        out.mkdir(parents=True, exist_ok=True)
    summary = {"written": [], "unchanged": [], "errors": [], **({"diffs": []} if simulate else {})}
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
            if simulate:
                summary["diffs"].append({"title": rec.title, "file": path.name, "diff": diff_text(old or "", new,
                                                                                                rec.title)})
                summary["written"].append(rec.title)
                continue
            if is_shortened(name):      # the title is too long for a file name: the index keeps it
                add_to_title_index(out, name, rec.title)
            path.write_text(new, encoding="utf-8")
        except TooComplex as exc:
            message = f"the existing {path.name} is too complex to regenerate safely ({exc}); left as it is"
            summary["errors"].append({"origin": rec.origin, "title": rec.title, "field": None, "message": message})
            print(f"error: {rec.origin} [{rec.title}]: {message}", file=sys.stderr)
            continue
        except (OSError, UnicodeDecodeError) as exc:
            message = f"cannot write {path.name}: {exc.strerror if isinstance(exc, OSError) else exc}"
            summary["errors"].append({"origin": rec.origin, "title": rec.title, "field": None, "message": message})
            print(f"error: {rec.origin} [{rec.title}]: {message}", file=sys.stderr)
            continue
        summary["written"].append(rec.title)
    return summary


@command(SPEC, __doc__)
def main(opts: Options) -> int:
    opts.offline("generate")
    if not opts.get("source") or not opts.get("out"):
        raise UsageError("-source:PATH and -out:DIR are required")
    source = Path(opts.get("source"))
    if not source.exists():
        raise UsageError(f"no such file or folder: {source}")
    summary = generate(source, Path(opts.get("out")), simulate=opts.simulate)
    verb = "would write" if opts.simulate else "generated"
    if opts.as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        for d in summary.get("diffs", []):
            print(f"=== {d['title']} ({d['file']})\n{d['diff']}")
        print(f"{verb} {len(summary['written'])} pages into {opts.get('out')} "
              f"({len(summary['unchanged'])} unchanged, {len(summary['errors'])} failed)")
    return ExitCode.FAILED if summary["errors"] else ExitCode.OK


if __name__ == "__main__":
    run_as_command(main)
