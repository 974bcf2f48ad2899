"""Where `stadsregister decisions batch` spends its start-up, before the first case (issue 16).

Run: .venv/bin/python bench/bench_batch_startup.py [--runs 3]

Makes a temporary SQLite register with the sample models, then starts fresh processes that do
what the command does, stage by stage, and prints wall-clock and CPU seconds after each stage
(median over ``--runs`` processes) with the machine's load: the machine is shared, and CPU
seconds are what the process itself spent.  Last, the command itself on 10 cases: its own
"first chunk after" figure and the whole process's wall time.
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

STAGES = r'''
import os, sys, time
t0, c0 = time.perf_counter(), time.process_time()
def mark(label):
    print(f"{label}\t{time.perf_counter() - t0:.3f}\t{time.process_time() - c0:.3f}", flush=True)
import register.cli  # noqa: F401
mark("python + import register.cli")
from register import create_app
app = create_app()
mark("create_app (blueprints, settings)")
print("modules\t%d\t0" % len(sys.modules), flush=True)
from sqlmodel import Session
from register.services import algorithms
from register.services.decisions import create_receipts, model_for
from register.services.explainers import COPIES, EXPLAINERS, library_versions
with app.app_context(), Session(app.extensions["stadsregister.engine"]) as session:
    algorithm = algorithms.get_by_code(session, sys.argv[1])
    version, model = model_for(session, algorithm)
    mark("algorithm and model rows")
    library_versions()
    mark("library versions for the explainer key (imports shap)")
    COPIES.get(model)
    mark("spec parsed, explainer key")
    EXPLAINERS.get(model, app.config["DATA_DIR"])
    mark("explainer built (skops load, checks, shap)")
    row = dict(__import__("csv").DictReader(open(sys.argv[2])).__next__())
    row.pop("case_ref", None)
    create_receipts(session=session, algorithm=algorithm, cases=[(row, f"startup-{os.getpid()}")],
                    secret=app.config["SECRET_KEY"], data_dir=app.config["DATA_DIR"], locale="en")
    mark("first case explained and stored")
'''


def load_average() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from sqlmodel import Session, select

    from bench_explanations import cases_for
    from register import create_app, db
    from register.models import Algorithm
    from register.services import demo
    from register.services.demo_models import DEMO_MODELS, load_demo_models

    folder = Path(tempfile.mkdtemp(prefix="bench-batch-startup-"))
    url = f"sqlite:///{folder}/bench.sqlite"
    db.upgrade(url)
    settings = {"ENV": "production", "SECRET_KEY": "bench-" * 8, "DATABASE_URL": url, "DATA_DIR": str(folder / "data")}
    app = create_app(settings)
    with app.app_context(), Session(app.extensions["stadsregister.engine"]) as session:
        demo.load_demo(session)
        load_demo_models(session)
        code = session.exec(select(Algorithm).where(Algorithm.source_id == DEMO_MODELS["woz"])).one().code
    app.extensions["stadsregister.engine"].dispose()
    cases = folder / "cases.csv"
    rows = cases_for("woz", 10)
    with cases.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0], "case_ref"])
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow(dict(row, case_ref=f"WOZ-{i}"))
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{f"STADSREGISTER_{k}": v for k, v in settings.items()})
    runs: list[list[tuple[str, float, float]]] = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", STAGES, code, str(cases)], env=env, capture_output=True,
                             text=True, check=True).stdout
        runs.append([(label, float(wall), float(cpu)) for label, wall, cpu in
                     (line.split("\t") for line in out.strip().splitlines())])
    print(f"decisions batch start-up, WOZ sample model, median of {args.runs} fresh processes ({load_average()}):")
    previous = (0.0, 0.0)
    for index, (label, _, _) in enumerate(runs[0]):
        wall = statistics.median(r[index][1] for r in runs)
        cpu = statistics.median(r[index][2] for r in runs)
        if label == "modules":
            print(f"  {'':58s} ({int(wall):,} modules loaded by then)")
            continue
        print(f"  {label:58s} at {wall:5.2f} s wall, {cpu:5.2f} s CPU  "
              f"(this stage: {cpu - previous[1]:4.2f} s CPU)")
        previous = (wall, cpu)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", "from register.cli import main; main()", "decisions", "batch",
                             "--algorithm", code, str(cases), str(folder / "out.csv")], env=env,
                            capture_output=True, text=True)
    summary = (result.stdout.strip().splitlines() or [result.stderr.strip()])[-1]
    print(f"  the command on 10 cases: process {time.perf_counter() - started:.2f} s wall; it says: {summary}"
          f"  ({load_average()})")


if __name__ == "__main__":
    main()
