"""Load benchmark (issue 16): gunicorn with N workers, C concurrent clients for S seconds.

Each client loops over a weighted mix of what residents and systems ask for — start page,
list and search, algorithm pages and their ``.json``, the sensor map page, map viewports as
GeoJSON at several zooms, sensor pages, and explain POSTs with cases from the sample models'
reference data — and records each answer's time and status.  Prints requests/s, p50/p95/p99
per kind and overall, and the errors (any status >= 400 or a failed connection).

    python bench/bench_load.py [--db sqlite|postgresql|both] [--workers 4] [--clients 50]
                               [--seconds 60] [--pg-url postgresql://postgres@127.0.0.1/bench_load]

Only 127.0.0.1 is contacted.  Goal on the 2-core machine: 0 errors, p95 <= 300 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import urllib3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VIEWPORTS = [  # (w, s, e, n, zoom) around Amsterdam, from city to street level
    (4.73, 52.28, 5.07, 52.43, 12), (4.85, 52.34, 4.95, 52.39, 14),
    (4.88, 52.365, 4.91, 52.378, 16), (4.889, 52.370, 4.897, 52.374, 18),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-c", "from register.cli import main; main()", *args],
                   env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def prepare(db: str, pg_url: str, folder: Path) -> dict:
    from served import production_env

    env = production_env(folder, pg_url if db == "postgresql" else None, "load.sqlite")
    cli(env, "db", "upgrade")
    cli(env, "demo")
    return env


def targets(env: dict) -> dict:
    """Codes, sensor ids and explain cases from the loaded demo."""
    from sqlalchemy import create_engine, text

    from register.db import normalise_url
    from sample_models import artefact_paths

    engine = create_engine(normalise_url(env["STADSREGISTER_DATABASE_URL"]))
    with engine.connect() as conn:
        codes = [r[0] for r in conn.execute(text(
            "SELECT a.code FROM algorithm a WHERE a.public_state IN ('published', 'archived')"))]
        sensors = [r[0] for r in conn.execute(text("SELECT id FROM sensor LIMIT 500"))]
        models = dict(conn.execute(text(
            "SELECT a.source_id, a.code FROM algorithm a WHERE a.source_id IN "
            "('AMS-WOZ-001', 'AMS-BIJ-001', 'AMS-VV-001')")).all())
    engine.dispose()
    cases = []
    for folder, source_id in {"woz": "AMS-WOZ-001", "vakantieverhuur": "AMS-VV-001"}.items():
        if source_id not in models:
            continue
        paths = artefact_paths(folder)
        spec = json.loads(paths["spec"].read_text())
        names = [f["name"] for f in spec["features"]]
        frame = pd.read_csv(paths["reference"]).head(200)
        for _, row in frame.iterrows():
            case = {n: (row[n].item() if hasattr(row[n], "item") else row[n]) for n in names
                    if n in row and not pd.isna(row[n])}
            cases.append((models[source_id], case))
    return {"codes": codes, "sensors": sensors, "cases": cases}


def _proc_cpu(wanted) -> float:
    """CPU seconds (user + system) used so far by the processes ``wanted(pid, ppid, name)`` picks,
    read from /proc: a cost per request that the machine's other load changes much less than it
    changes latency."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        name, fields = raw[raw.index("(") + 1:raw.rindex(")")], raw.rsplit(")", 1)[1].split()
        if wanted(int(entry.name), int(fields[1]), name):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def cpu_seconds(root_pid: int) -> float:
    """The gunicorn master and its workers."""
    return _proc_cpu(lambda pid, ppid, _name: root_pid in (pid, ppid))


def postgres_cpu_seconds() -> float:
    """This machine's PostgreSQL processes (its backends run the queries)."""
    return _proc_cpu(lambda _pid, _ppid, name: name.startswith("postgres"))


def request_mix(t: dict, rng: random.Random) -> tuple[str, str, str, bytes | None]:
    """(kind, method, path, body) drawn with weights like real traffic."""
    roll = rng.random()
    code = rng.choice(t["codes"])
    if roll < 0.10:
        return "start page", "GET", "/", None
    if roll < 0.22:
        q = rng.choice(["", "parkeren", "woning", "camera", "toezicht"])
        return "list/search", "GET", f"/algorithms?q={q}", None
    if roll < 0.34:
        return "algorithm page", "GET", f"/algorithms/{code}", None
    if roll < 0.42:
        return "algorithm .json", "GET", f"/algorithms/{code}.json", None
    if roll < 0.50:
        return "map page", "GET", "/sensors", None
    if roll < 0.72:
        w, s, e, n, z = rng.choice(VIEWPORTS)
        return "map viewport", "GET", f"/sensors.geojson?bbox={w},{s},{e},{n}&zoom={z}", None
    if roll < 0.82 and t["sensors"]:
        return "sensor page", "GET", f"/sensors/{rng.choice(t['sensors'])}", None
    if t["cases"]:
        model_code, case = rng.choice(t["cases"])
        return "explain POST", "POST", f"/algorithms/{model_code}/explain.json", \
            json.dumps(case).encode()
    return "algorithm page", "GET", f"/algorithms/{code}", None


def client(base: str, t: dict, until: float, seed: int, out: list, errors: list) -> None:
    rng = random.Random(seed)
    pool = urllib3.HTTPConnectionPool("127.0.0.1", int(base.rsplit(":", 1)[1]), maxsize=1,
                                      retries=False, timeout=30)
    while time.monotonic() < until:
        kind, method, path, body = request_mix(t, rng)
        headers = {"Accept-Encoding": "gzip, br", "Content-Type": "application/json"}
        started = time.perf_counter()
        try:
            # The whole body is read; it is not decompressed (a browser does that on its own machine,
            # and here it would take CPU from the server under test).
            answer = pool.request(method, path, body=body, headers=headers, decode_content=False)
            status = answer.status
        except Exception as exc:  # noqa: BLE001 - every failure counts as an error
            status, answer = f"{type(exc).__name__}", None
        elapsed = time.perf_counter() - started
        out.append((kind, elapsed))
        if not isinstance(status, int) or status >= 400:
            errors.append((kind, path, status))


def run(db: str, args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"\n--- {db}: loading the demo", flush=True)
        env = prepare(db, args.pg_url, folder)
        t = targets(env)
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind",
                   f"127.0.0.1:{port}", "--access-logfile", "/dev/null"]
        if (ROOT / "register" / "gunicorn_conf.py").exists():  # the README's production config
            command += ["--config", "python:register.gunicorn_conf"]
        env = {**env, "STADSREGISTER_BASE_URL": f"http://127.0.0.1:{port}"}  # production: one host
        server = subprocess.Popen([*command, "register:create_app()"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            http = urllib3.PoolManager(retries=False, timeout=5)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if http.request("GET", base + "/").status == 200:
                        break
                except Exception:  # noqa: BLE001 - not up yet
                    time.sleep(0.5)
            samples: list = []
            errors: list = []
            until = time.monotonic() + args.seconds
            threads = [threading.Thread(target=client, args=(base, t, until, i, samples, errors))
                       for i in range(args.clients)]
            server_cpu, own_cpu, db_cpu = cpu_seconds(server.pid), time.process_time(), postgres_cpu_seconds()
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            cpu = {"server": cpu_seconds(server.pid) - server_cpu, "client": time.process_time() - own_cpu,
                   "postgresql": postgres_cpu_seconds() - db_cpu}
            report(db, args, samples, errors, time.monotonic() - started, cpu)
        finally:
            server.terminate()
            server.wait(timeout=30)


def report(db, args, samples, errors, seconds, cpu) -> None:
    by_kind = defaultdict(list)
    for kind, elapsed in samples:
        by_kind[kind].append(elapsed * 1000)
    everything = [e * 1000 for _, e in samples]
    print(f"{db}: gunicorn {args.workers} workers, {args.clients} clients, {seconds:.0f} s: "
          f"{len(samples)} requests, {len(samples) / seconds:.1f} req/s, {len(errors)} errors")
    if samples:
        print(f"CPU per request: server {cpu['server'] / len(samples) * 1000:.2f} ms (gunicorn master and "
              f"workers), PostgreSQL {cpu['postgresql'] / len(samples) * 1000:.2f} ms, "
              f"this client {cpu['client'] / len(samples) * 1000:.2f} ms; "
              f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'kind':<18}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, values in sorted(by_kind.items()) + [("ALL", everything)]:
        p50, p95, p99 = (float(np.percentile(values, q)) for q in (50, 95, 99))
        print(f"{kind:<18}{len(values):>7}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}")
    for kind, path, status in errors[:10]:
        print(f"  error: {kind} {path} -> {status}")
    if everything:
        print(f"median of all: {statistics.median(everything):.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/bench_load")
    parser.add_argument("--quick", action="store_true", help="10 clients for 10 s")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.seconds = 10, 10
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        run(db, args)


if __name__ == "__main__":
    main()
