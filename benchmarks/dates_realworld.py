"""The date checker on real text: O.S./N.S. pairs written by others, with errors planted in them.

Usage: .venv/bin/python benchmarks/dates_realworld.py [--verbose] [--write-planted]

The set is tests/data/realdates: 34 excerpts of real articles (Wikipedia and its mirrors, two old
encyclopaedias; sources and licenses in SOURCES.md), the pairs in them read by hand (pairs.yaml) and
the errors planted in them (planted.yaml: one side of a correct pair moved by a day or by the gap
of a wrong century). Printed, with the targets of issue 14:
  - how many of the pairs the scanner reads as pairs;
  - false alarms (date-calendar-mismatch, date-invalid) on the texts as written: target 0;
  - errors the texts themselves have (found, not false alarms), Swedish-calendar notes;
  - recall on the planted errors: target >= 95%, overall and by kind;
  - for errors planted on the N.S. side: the fix gives the original date (target: all caught ones),
    and its edit restores the original text; for the O.S. side, how often the message says that
    only the O.S. side can be wrong.
--verbose lists the pairs not read, the errors missed and the wrong fixes. --write-planted makes
planted.yaml anew from pairs.yaml (it is data: review the diff before committing it).
Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
import realdates  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--verbose", action="store_true", help="list unread pairs, missed errors, wrong fixes")
    ap.add_argument("--write-planted", action="store_true", help="make planted.yaml anew from pairs.yaml")
    a = ap.parse_args()
    if a.write_planted:
        print(f"wrote {realdates.write_planted()} planted errors to {realdates.DATA / 'planted.yaml'}")
    t = time.perf_counter()
    pairs = realdates.load_pairs()
    f = realdates.evaluate(pairs)
    took = time.perf_counter() - t
    texts = len(pairs)
    ok_fa = not f.false_alarms
    ok_recall = f.recall >= 0.95
    ok_fix = f.ns_fix_right == f.ns_caught
    mark = lambda ok: "ok" if ok else "MISSED"  # noqa: E731
    print(f"real-world set: {texts} texts, {f.pairs} pairs read by hand, {f.planted} planted errors ({took:.1f}s)")
    print(f"  pairs the scanner reads as pairs:   {f.pairs_read}/{f.pairs}")
    print(f"  false alarms on the texts as written: {len(f.false_alarms)}   (target 0) {mark(ok_fa)}")
    print(f"  errors of the texts themselves found: {f.known_errors_found}/{f.known_errors}")
    print(f"  Swedish-calendar notes (info):        {f.swedish_notes}")
    print(f"  planted errors caught: {f.caught}/{f.planted} = {f.recall:.1%}   (target >= 95%) {mark(ok_recall)}")
    for kind in sorted(f.by_kind):
        print(f"    {kind:12s} {f.caught_by_kind[kind]}/{f.by_kind[kind]}")
    print(f"  N.S.-side errors caught: {f.ns_caught}; right fix: {f.ns_fix_right}   (target all) {mark(ok_fix)}; "
          f"edit restores the original text: {f.ns_edit_restores}")
    print(f"  O.S.-side errors caught: {f.os_caught}; message says only the O.S. side can be wrong: "
          f"{f.os_only_os_said}")
    if a.verbose:
        for title, items in (("pairs not read", f.unread), ("false alarms", f.false_alarms),
                             ("planted errors missed", f.missed), ("wrong fixes", f.wrong_fixes)):
            if items:
                print(f"\n{title}:")
                for item in items:
                    print(f"  {item}")
    return 0 if ok_fa and ok_recall and ok_fix else 1


if __name__ == "__main__":
    sys.exit(main())
