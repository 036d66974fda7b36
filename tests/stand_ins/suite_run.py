#!/usr/bin/env python3
"""`graph-sync-conformance` for tests/nightly_job.py: `run` writes the night's recorded verdict.json to
the reports folder it is given and exits with the night's exit code; every other command is the real
one (the suite these tests run from), run as it is."""

import json
import os
import sys
from pathlib import Path

night = json.loads(Path(__file__).with_name("night.json").read_text(encoding="utf-8"))
args = sys.argv[1:]
if args[:1] != ["run"]:
    os.execv(night["suite"], [night["suite"], *args])
with open(night["log"], "a", encoding="utf-8") as log:
    log.write(json.dumps({"program": "graph-sync-conformance", "args": args}) + "\n")
if night["tonight"] is not None:
    reports = Path(args[args.index("--reports") + 1] if "--reports" in args else "reports")
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "verdict.json").write_text(json.dumps(night["tonight"], indent=2), encoding="utf-8")
sys.exit(night["exit_code"])
