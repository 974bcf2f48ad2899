"""Where `stadsregister decisions batch` spends its start-up, before the first case (issue 16).

Run: .venv/bin/python bench/bench_batch_startup.py [--runs 3] [--model woz] [--no-bytecode-cache]

Makes a temporary SQLite register with the sample models (registering writes each explainer's
snapshot to DATA_DIR), then starts fresh processes that do what the command does, stage by stage,
and prints wall-clock and CPU seconds after each stage (median over ``--runs`` processes) with the
machine's load: the machine is shared, and CPU seconds are what the process itself spent.  Once
without the explainer's snapshot (deleted before each process: the explainer is built from the
model file) and once with it.  Last, the command itself on 1 and on 10 cases: its own "first chunk
after" figure, and the whole process's wall and CPU time (start-up, first receipt stored, exit).

Python's bytecode of the project is cached in a temporary folder (``PYTHONPYCACHEPREFIX``), as an
installed register has it; ``--no-bytecode-cache`` compiles every module in every process instead
(as with ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__``).
"""
from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
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
mark("python + import register.cli (click, sqlalchemy, settings)")
from register import open_register
opened = open_register()
mark("settings and engine (open_register: no Flask app)")
from geo.cells import spreadsheet_safe  # noqa: F401
from register.services import batch  # noqa: F401
from register.services.decisions import create_receipts, model_for
mark("the command's imports (models, decisions, explain)")
print("modules\t%d\t0" % len(sys.modules), flush=True)
from sqlmodel import Session
from register.services import algorithms, snapshots
from register.services.explainers import BUILDS, COPIES, EXPLAINERS, library_versions
with Session(opened.engine) as session:
    algorithm = algorithms.get_by_code(session, sys.argv[1])
    version, model = model_for(session, algorithm)
    mark("algorithm and model rows")
    library_versions()
    mark("library versions for the explainer key (metadata)")
    COPIES.get(model)
    mark("spec parsed, explainer key")
    EXPLAINERS.get(model, opened.config["DATA_DIR"])
    how = "from its snapshot" if snapshots.STATS["loaded"] else "built: skops load, checks, shap"
    mark(f"explainer ({how})")
    row = dict(__import__("csv").DictReader(open(sys.argv[2])).__next__())
    row.pop("case_ref", None)
    create_receipts(session=session, algorithm=algorithm, cases=[(row, f"startup-{os.getpid()}")],
                    secret=opened.config["SECRET_KEY"], data_dir=opened.config["DATA_DIR"], locale="en")
    mark("first case explained and stored")
heavy = [m for m in ("pandas", "sklearn", "shap", "skops", "scipy", "numba", "matplotlib", "shapely", "pyproj",
                     "weasyprint", "folium", "geopandas", "flask", "jsonschema") if m in sys.modules]
print("loaded\t%d\t%s" % (len(sys.modules), " ".join(heavy) or "none of them"), flush=True)
'''


def load_average() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_cases(path: Path, model: str, count: int) -> None:
    from bench_explanations import cases_for

    rows = cases_for(model, count)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0], "case_ref"])
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow(dict(row, case_ref=f"{model.upper()}-{path.stem}-{i}"))


def stages(env: dict, code: str, cases: Path, runs: int, before=None) -> list[list[tuple[str, str, str]]]:
    found = []
    for _ in range(runs):
        if before:
            before()
        out = subprocess.run([sys.executable, "-c", STAGES, code, str(cases)], env=env, capture_output=True,
                             text=True, check=True).stdout
        found.append([tuple(line.split("\t")) for line in out.strip().splitlines()])
    return found


def show(title: str, runs: list[list[tuple[str, str, str]]]) -> None:
    print(f"{title} ({load_average()}):")
    previous = 0.0
    for index, (label, _, extra) in enumerate(runs[0]):
        if label == "modules":
            print(f"  {'':60s} ({int(runs[0][index][1]):,} modules loaded by then)")
            continue
        if label == "loaded":
            print(f"  {'':60s} ({int(runs[0][index][1]):,} modules in all; of the heavy ones: {extra})")
            continue
        wall = statistics.median(float(r[index][1]) for r in runs)
        cpu = statistics.median(float(r[index][2]) for r in runs)
        print(f"  {label:60s} at {wall:5.2f} s wall, {cpu:5.2f} s CPU  (this stage: {cpu - previous:4.2f} s CPU)")
        previous = cpu


def command(env: dict, code: str, cases: Path, out: Path) -> tuple[float, float, str]:
    started, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run([sys.executable, "-c", "from register.cli import main; main()", "decisions", "batch",
                             "--algorithm", code, str(cases), str(out)], env=env, capture_output=True, text=True,
                            check=False)
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    said = (result.stdout.strip().splitlines() or [result.stderr.strip()])[-1]
    return wall, cpu, said.split("; ", 1)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", default="woz", help="woz, slimme_check or vakantieverhuur")
    parser.add_argument("--no-bytecode-cache", action="store_true")
    args = parser.parse_args()
    from sqlmodel import Session, select

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
        code = session.exec(select(Algorithm).where(Algorithm.source_id == DEMO_MODELS[args.model])).one().code
    app.extensions["stadsregister.engine"].dispose()
    one, ten = folder / "one.csv", folder / "ten.csv"
    write_cases(one, args.model, 1)
    write_cases(ten, args.model, 10)
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{f"STADSREGISTER_{k}": v for k, v in settings.items()})
    if args.no_bytecode_cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        bytecode = "every module compiled in every process (no bytecode cache)"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        stages(env, code, ten, 1)  # fills the bytecode cache
        bytecode = "bytecode cached, as installed"
    snapshots = Path(settings["DATA_DIR"]) / "explainer-snapshots"
    print(f"decisions batch start-up, {args.model} sample model, median of {args.runs} fresh processes; {bytecode}")
    show("without a snapshot (deleted before each process)",
         stages(env, code, ten, args.runs, before=lambda: shutil.rmtree(snapshots, ignore_errors=True)))
    show("with the explainer's snapshot in DATA_DIR", stages(env, code, ten, args.runs))
    print(f"the command itself, with the snapshot ({load_average()}):")
    for cases in (one, ten):
        measured = [command(env, code, cases, folder / "out.csv") for _ in range(args.runs)]
        wall = statistics.median(m[0] for m in measured)
        cpu = statistics.median(m[1] for m in measured)
        print(f"  {cases.stem:>3} case(s): process {wall:4.2f} s wall, {cpu:4.2f} s CPU, start to exit; "
              f"it says: {measured[-1][2]}")
    print(f"  ({load_average()})")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
