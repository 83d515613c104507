"""A fake bot for the jobs runner's tests: sleeps, prints, exits as told.

python -m tests.fakebots.sleepy [-sleep:SECONDS] [-exit:CODE] [-json] [-mark:FILE]
-mark:FILE appends one line per start to FILE (the tests count runs with it).
"""
import json
import sys
import time


def main(*args: str) -> int:
    opts = dict(a.lstrip("-").partition(":")[::2] for a in args)
    if "mark" in opts:
        with open(opts["mark"], "a") as f:
            f.write("start\n")
    print("sleepy: starting", flush=True)
    time.sleep(float(opts.get("sleep") or 0))
    if "json" in opts:
        print(json.dumps({"simulate": False, "counts": {"checked": 3, "errors": 1}}, indent=1))
    return int(opts.get("exit") or 0)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
