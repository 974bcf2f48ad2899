"""Memory per gunicorn worker (issue 16): what the workers share and what each holds on its own.

Serves a register with gunicorn as the README's production section says (``-c
python:register.gunicorn_conf``: the app and its caches are loaded in the master and the workers
are forked from it), sends each worker the same warm-up traffic (list, search, facets, an entry's
page, the sensor map and viewports, explanations with every published model), and prints per
process, read from ``/proc/<pid>/smaps_rollup``:

- RSS: every page the process touches, shared or not (what ``top`` shows);
- PSS: its fair share (shared pages divided by the processes sharing them);
- USS: pages only this process holds (private), i.e. what one more worker costs.

    python bench/bench_memory.py [--scale demo|100000] [--workers 2] [--no-preload-too]

``--scale demo`` loads the demo; ``--scale N`` loads N published entries (as bench_register.py)
and N sensors (as bench_sensors.py) with the sample WOZ and holiday-rental models registered on two
of them. ``--no-preload-too`` measures the same without ``preload_app`` for comparison. Only
127.0.0.1 is contacted; SQLite in a temporary folder.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

VIEWPORTS = [(4.73, 52.28, 5.07, 52.43, 12), (4.85, 52.34, 4.95, 52.39, 14), (4.88, 52.365, 4.91, 52.378, 16),
             (4.889, 52.370, 4.897, 52.374, 18)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-c", "from register.cli import main; main()", *args], env=env, cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)


def prepare(scale: str, folder: Path) -> dict:
    from served import production_env

    env = production_env(folder, None, "memory.sqlite", MAP_TILES_URL="", GEOCODER_URL="")
    cli(env, "db", "upgrade")
    if scale == "demo":
        cli(env, "demo")
        return env
    n = int(scale)
    from bench_register import populate
    from bench_sensors import load

    import geo
    from register import create_app
    from sample_models import artefact_paths

    started = time.perf_counter()
    populate(env["STADSREGISTER_DATABASE_URL"], n)
    app = create_app({"ENV": "testing", "DATABASE_URL": env["STADSREGISTER_DATABASE_URL"],
                      "DATA_DIR": env["STADSREGISTER_DATA_DIR"], "SECRET_KEY": "bench-" + "x" * 20})
    load(app, geo.generate_sensors(n, seed=2024, as_of=dt.date.today()))
    app.extensions["stadsregister.engine"].dispose()
    for code, folder_name in (("B-000001", "woz"), ("B-000002", "vakantieverhuur")):
        paths = artefact_paths(folder_name)
        cli(env, "models", "register", "--algorithm", code, str(paths["model"]), str(paths["spec"]),
            str(paths["reference"]))
    print(f"loaded {n:,} entries and {n:,} sensors, 2 models in {time.perf_counter() - started:.0f} s")
    return env


def traffic(env: dict) -> list[tuple[str, str, bytes | None]]:
    """One round of requests that touches every cache: (method, path, JSON body)."""
    import pandas as pd
    from sqlalchemy import create_engine, text

    from register.db import normalise_url
    from sample_models import artefact_paths

    engine = create_engine(normalise_url(env["STADSREGISTER_DATABASE_URL"]))
    with engine.connect() as conn:
        codes = [r[0] for r in conn.execute(text("SELECT code FROM algorithm WHERE public_state = 'published' "
                                                 "ORDER BY id LIMIT 5"))]
        sensors = [r[0] for r in conn.execute(text("SELECT id FROM sensor ORDER BY id LIMIT 5"))]
        models = conn.execute(text(
            "SELECT a.code, m.spec FROM algorithm a JOIN algorithm_version v ON v.id = a.published_version_id "
            "JOIN model_version m ON m.id = v.model_version_id WHERE a.public_state = 'published'")).all()
    engine.dispose()
    requests_ = [("GET", "/", None), ("GET", "/algorithms", None), ("GET", "/algorithms.json?q=parkeren", None),
                 ("GET", "/algorithms?theme=Verkeer", None), ("GET", "/sensors", None)]
    requests_ += [("GET", f"/algorithms/{code}", None) for code in codes]
    requests_ += [("GET", f"/sensors/{i}", None) for i in sensors]
    requests_ += [("GET", f"/sensors.geojson?bbox={w},{s},{e},{n}&zoom={z}", None) for w, s, e, n, z in VIEWPORTS]
    by_name = {"woz": "AMS-WOZ-001", "vakantieverhuur": "AMS-VV-001"}
    for code, spec in models:
        spec = json.loads(spec) if isinstance(spec, str) else spec
        names = [f["name"] for f in spec.get("features", [])]  # rules and text models have other specs
        if not names:
            continue
        for folder in by_name:
            reference = pd.read_csv(artefact_paths(folder)["reference"])
            if set(names) <= set(reference.columns):
                row = reference.iloc[0]
                case = {n: (row[n].item() if hasattr(row[n], "item") else row[n]) for n in names if not pd.isna(row[n])}
                requests_.append(("POST", f"/algorithms/{code}/explain.json", json.dumps(case).encode()))
                break
    return requests_


def memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS of a process in MB, from /proc/<pid>/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024  # kB to MB
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sorted(int(p) for p in found)


def serve(env: dict, workers: int, preload: bool, folder: Path) -> None:
    port = free_port()
    config = ["-c", "python:register.gunicorn_conf"]
    if not preload:
        (folder / "no_preload.py").write_text("from register.gunicorn_conf import *  # noqa: F401,F403\n"
                                              "preload_app = False\n")
        config = ["-c", str(folder / "no_preload.py")]
    env = {**env, "STADSREGISTER_BASE_URL": f"http://127.0.0.1:{port}"}
    log = (folder / "gunicorn.log").open("w")
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", *config, "--workers", str(workers), "--bind",
                               f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "register:create_app()"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped:\n" + (folder / "gunicorn.log").read_text())
            try:
                if requests.get(base + "/", timeout=120).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        while len(children(server.pid)) < workers:
            time.sleep(0.2)
        ready = time.perf_counter() - started
        label = "preload_app (caches built in the master)" if preload else "without preload (each worker builds)"
        print(f"\n{label}: {workers} workers, answering after {ready:.1f} s")
        report(server.pid, "at start")
        rounds = traffic(env)
        slowest, answered, failed = 0.0, {}, 0
        for _ in range(8 * workers):  # sync workers take one connection each: rounds spread over them
            for method, path, body in rounds:
                t0 = time.perf_counter()
                response = requests.request(method, base + path, data=body, timeout=300,
                                            headers={"Connection": "close", "Content-Type": "application/json"})
                spent = time.perf_counter() - t0
                slowest = max(slowest, spent)
                answered[path] = max(answered.get(path, 0.0), spent)
                failed += response.status_code >= 400
        worst = sorted(answered.items(), key=lambda kv: -kv[1])[:3]
        print(f"  warm-up traffic: {len(rounds) * 8 * workers} requests, {failed} errors; slowest "
              + ", ".join(f"{path.split('?')[0]} {spent:.2f} s" for path, spent in worst))
        report(server.pid, "after traffic")
        after_change(env, base, workers)
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def after_change(env: dict, base: str, workers: int) -> None:
    """A publication and 100 moved sensors, as another worker or machine would commit them; then the
    first answers of every worker: does any request wait for a rebuilt cache?"""
    from sqlalchemy import create_engine, text

    from register.db import normalise_url

    engine = create_engine(normalise_url(env["STADSREGISTER_DATABASE_URL"]))
    with engine.begin() as conn:
        conn.execute(text("UPDATE algorithm SET status = 'Buiten gebruik' WHERE id = (SELECT min(id) FROM algorithm "
                          "WHERE public_state = 'published')"))
        conn.execute(text("UPDATE listing_generation SET value = value + 1 WHERE id = 1"))
        conn.execute(text("UPDATE sensor SET lon = lon + 0.0001, updated_at = CURRENT_TIMESTAMP WHERE id IN "
                          "(SELECT id FROM sensor ORDER BY id LIMIT 100)"))
    engine.dispose()
    times: dict[str, list[float]] = {"/algorithms": [], "/algorithms.json?status=In+gebruik": [],
                                     "/sensors.geojson": []}
    w, s, e, n, z = VIEWPORTS[0]
    for _ in range(4 * workers):
        for path, spent in times.items():
            url = base + path + (f"?bbox={w},{s},{e},{n}&zoom={z}" if path == "/sensors.geojson" else "")
            t0 = time.perf_counter()
            requests.get(url, timeout=300, headers={"Connection": "close"})
            spent.append(time.perf_counter() - t0)
    print("  first answers after a change (list rebuilt, 100 sensors moved): "
          + ", ".join(f"{path.split('?')[0]} max {max(t):.2f} s" for path, t in times.items()))


def report(master: int, when: str) -> None:
    rows = [("master", master, memory(master))] + [("worker", pid, memory(pid)) for pid in children(master)]
    print(f"  {when}:{'':14s}RSS MB   PSS MB   USS MB")
    for role, pid, m in rows:
        print(f"    {role:7s} {pid:>8d}   {m['rss']:7.0f}  {m['pss']:7.0f}  {m['uss']:7.0f}")
    workers = [m for role, _pid, m in rows if role == "worker"]
    total = sum(m["pss"] for _r, _p, m in rows)
    print(f"    all processes together (sum of PSS): {total:.0f} MB; per worker on its own (mean USS): "
          f"{sum(m['uss'] for m in workers) / len(workers):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="demo", help="demo, or a number of entries and sensors (e.g. 100000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-preload-too", action="store_true", help="also measure without preload_app")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        folder = Path(folder)
        env = prepare(args.scale, folder)
        serve(env, args.workers, True, folder)
        if args.no_preload_too:
            serve(env, args.workers, False, folder)
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
