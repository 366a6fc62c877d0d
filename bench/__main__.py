"""`make bench`: run every benchmark, print figures and ratios, save bench/out/results.json."""
from __future__ import annotations

import argparse
import json
import sys

from bench import autosave, dashboard, mail, sweep

BENCHES = {"dashboard": dashboard, "autosave": autosave, "sweep": sweep, "mail": mail}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", default=",".join(BENCHES), help="comma-separated: " + ", ".join(BENCHES))
    parser.add_argument("--seconds", type=float, default=5.0, help="load duration per measured page")
    parser.add_argument("--quick", action="store_true", help="small datasets, to check the benchmarks run")
    args = parser.parse_args(argv)
    results = {}
    for name in args.only.split(","):
        module = BENCHES[name]
        print(f"== {name}", flush=True)
        figures = module.run(seconds=1.0 if args.quick else args.seconds, **(module.QUICK if args.quick else {}))
        print(module.report(figures), flush=True)
        results[name] = figures
    dashboard.OUT.mkdir(parents=True, exist_ok=True)
    (dashboard.OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
