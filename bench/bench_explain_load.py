"""Explanations under load (issue 10): explain.json and the explain page over real HTTP, quiet and
while another process keeps every core busy, for three models trained here on scikit-learn's own
data sets (models the project did not design):

* a HistGradientBoosting Pipeline (diabetes, one-hot sex + scaled numbers, regression);
* a 200-tree random forest (breast cancer, yes/no);
* a logistic regression Pipeline (breast cancer, yes/no).

Each is registered with a spec drafted by ``explain.spec_draft`` and served by gunicorn (2 sync
workers) on a temporary SQLite file. Prints p50/p95 per model for: the in-process answer (validate,
explain, narrate, chart, counterfactual — what explain.json computes), explain.json over HTTP and
the explain page (HTML POST), quiet and under load: one busy-looping process pinned to each core
(and, for comparison, the same processes placed by the scheduler). Targets on the 2-core machine:
explain.json p50 <= 1.5 x in-process p50 + 3 ms; page p95 <= 25 ms quiet and <= 50 ms under load.

    python bench/bench_explain_load.py [--runs 60]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import multiprocessing
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np
import pandas as pd

import explain
from explain.spec_draft import draft_spec

# A bare estimator fitted on a DataFrame warns on every numpy predict; the warning is not the point here.
NAMES_WARNING = "X does not have valid feature names"
warnings.filterwarnings("ignore", message=NAMES_WARNING)

CANCER_COLUMNS = ["mean radius", "mean texture", "mean smoothness", "mean compactness", "mean concavity",
                  "mean symmetry", "worst radius", "worst texture", "worst concavity", "worst symmetry"]


def _names(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=lambda c: re.sub(r"\W+", "_", str(c)).strip("_"))


def models() -> dict:
    """name → (fitted estimator, reference frame with the outcome column, outcome column)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    diabetes = load_diabetes(as_frame=True, scaled=False).frame
    diabetes["sex"] = diabetes["sex"].map({1.0: "v", 2.0: "m"})
    numbers = [c for c in diabetes.columns if c not in ("sex", "target")]
    hgb = Pipeline([("prep", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                                                  ["sex"]), ("num", StandardScaler(), numbers)])),
                    ("model", HistGradientBoostingRegressor(max_iter=200, random_state=0))])
    hgb.fit(diabetes.drop(columns="target"), diabetes["target"])
    cancer = load_breast_cancer(as_frame=True).frame
    cancer = _names(cancer[CANCER_COLUMNS + ["target"]])
    cancer["target"] = cancer["target"].astype(str)
    x, y = cancer.drop(columns="target"), cancer["target"]
    forest = RandomForestClassifier(n_estimators=200, max_depth=8, random_state=0).fit(x, y)
    logistic = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(max_iter=1000))]).fit(x, y)
    return {"hist-gradient-boosting pipeline": (hgb, diabetes, "target"),
            "random forest, 200 trees": (forest, cancer, "target"),
            "logistic regression": (logistic, cancer, "target")}


def spec_for(estimator, frame, outcome: str) -> dict:
    spec, _notes = draft_spec(estimator, frame, outcome_column=outcome)
    for feature in spec["features"][:4]:
        feature["changeable"] = True
    return spec


def form_case(row: dict, spec: dict) -> dict:
    """A reference row as the Dutch form sends it (decimal comma, no thousands dots)."""
    out = {}
    for feature in spec["features"]:
        value = row[feature["name"]]
        out[feature["name"]] = (explain.numbers.written(float(value), "nl") if feature["kind"] == "number"
                                else str(value))
    return out


PHASES = ("quiet", "under load", "load, free")


def percentiles(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples) * 1000, float(np.percentile(samples, 95)) * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def burn(stop, core: int | None = None) -> None:
    """Keep one core busy. With ``core`` the process stays on that core: one per core keeps every
    core busy all the time. Left free, the scheduler may put two on one core and leave the other
    to whichever process of the benchmark runs longest (the in-process loop), which then
    measures as if there were no load while the server, which sleeps between requests, shares."""
    if core is not None:
        os.sched_setaffinity(0, {core})
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def register_all(tmp: Path, built: dict) -> tuple[str, dict]:
    from sqlmodel import Session

    from register import create_app, db
    from register.services import accounts
    from register.services import algorithms as algos
    from register.services.model_versions import register_model
    from tests.register.conftest import valid_entry

    url = f"sqlite:///{tmp}/bench.sqlite"
    db.upgrade(url)
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench-" * 8, "DATABASE_URL": url,
                      "DATA_DIR": str(tmp / "data"), "BASE_URL": "http://localhost"})
    codes, specs = {}, {}
    with Session(app.extensions["stadsregister.engine"], expire_on_commit=False) as session:
        org = accounts.get_or_create_organisation(session=session, name="Gemeente Amsterdam")
        reg = accounts.create_user(session=session, email="r@example.org", name="r", password="x" * 16)
        app_user = accounts.create_user(session=session, email="a@example.org", name="a", password="x" * 16)
        accounts.grant(session=session, user=reg, organisation=org, role="registrant")
        accounts.grant(session=session, user=app_user, organisation=org, role="approver")
        session.commit()
        for i, (name, (estimator, frame, outcome)) in enumerate(built.items()):
            entry = algos.create_entry(session=session, user=reg, organisation=org,
                                       data=valid_entry(source_id=f"BENCH-{i}", name=f"Bench {name}"))
            algos.submit(session=session, user=reg, algorithm=entry)
            algos.approve(session=session, user=app_user, algorithm=entry)
            spec = spec_for(estimator, frame, outcome)
            started = time.perf_counter()
            register_model(session=session, user=None, algorithm=entry, data_dir=str(tmp / "data"),
                           model=explain.model_bytes(estimator), model_name="model.skops",
                           spec=json.dumps(spec).encode(), spec_name="spec.json",
                           reference=frame.to_csv(index=False).encode(), publish=True)
            print(f"  registered {name}: {time.perf_counter() - started:.1f} s (full build check)")
            codes[name], specs[name] = entry.code, spec
    app.extensions["stadsregister.engine"].dispose()
    return url, {"codes": codes, "specs": specs}


def in_process(url: str, tmp: Path, name: str, code: str, cases: list[dict]) -> list[float]:
    """The work explain.json does, without HTTP: validate, explain, narrate, chart, counterfactual."""
    from sqlmodel import Session

    from register import create_app
    from register.services import algorithms as algos
    from register.services import decisions

    app = create_app({"ENV": "testing", "SECRET_KEY": "bench-" * 8, "DATABASE_URL": url,
                      "DATA_DIR": str(tmp / "data"), "BASE_URL": "http://localhost"})
    with Session(app.extensions["stadsregister.engine"]) as session:
        algorithm = algos.get_by_code(session, code)
        _v, model = decisions.model_for(session, algorithm)
        explainer = decisions.EXPLAINERS.get(model, str(tmp / "data"))
        spec = decisions.spec_of(model)
        samples = []
        for i, case in enumerate(cases):
            start = time.perf_counter()
            clean, _errors = spec.validate_inputs(case, "nl")
            decisions.answer(explainer, spec, explainer.explain(clean, validate=False), "nl").to_dict()
            if i >= 5:
                samples.append(time.perf_counter() - start)
    return samples


def over_http(port: int, code: str, cases: list[dict]) -> tuple[list[float], list[float]]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}/algorithms/{code}"
    page = opener.open(base + "/explain").read().decode()
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    json_times, page_times = [], []
    for i, case in enumerate(cases):
        body = json.dumps(case).encode()
        start = time.perf_counter()
        opener.open(urllib.request.Request(base + "/explain.json", data=body,
                                           headers={"Content-Type": "application/json"})).read()
        if i >= 5:
            json_times.append(time.perf_counter() - start)
        form = urllib.parse.urlencode(dict(case, csrf_token=token)).encode()
        start = time.perf_counter()
        opener.open(urllib.request.Request(base + "/explain", data=form)).read()
        if i >= 5:
            page_times.append(time.perf_counter() - start)
    return json_times, page_times


def thread_limit_ab(estimator, frame, outcome, runs: int) -> dict:
    """explain + counterfactual in a fresh thread, with BLAS/OpenMP as they come and limited to one."""
    import threading

    from explain.reference import load_reference

    spec = explain.parse_spec(spec_for(estimator, frame, outcome))
    path = Path(tempfile.mkdtemp()) / "reference.csv"
    frame.to_csv(path, index=False)
    explainer = explain.Explainer.build(estimator, spec, load_reference(path, spec))
    rows = frame[spec.names].sample(runs, random_state=2, replace=len(frame) < runs).to_dict("records")
    figures = {}

    def run(limited: bool) -> None:
        if limited:
            explain.limit_threads()
        samples = []
        for row in rows:
            start = time.perf_counter()
            found = explainer.explain(row)
            explain.counterfactual(explainer, found.inputs, target_change=-20 if explainer.task == "regression" else None)
            samples.append(time.perf_counter() - start)
        figures["one thread" if limited else "default threads"] = percentiles(samples)

    for limited in (False, True, False, True):
        worker = threading.Thread(target=run, args=(limited,))
        worker.start()
        worker.join()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
          f"Python {platform.python_version()}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-explain-load-"))
    built = models()
    hgb = built["hist-gradient-boosting pipeline"]
    for label, (p50, p95) in thread_limit_ab(*hgb, runs=min(args.runs, 30)).items():
        print(f"  HistGradientBoosting explain + counterfactual in-process, {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms",
              flush=True)
    url, registered = register_all(tmp, built)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), STADSREGISTER_ENV="testing", STADSREGISTER_DATABASE_URL=url,
               STADSREGISTER_DATA_DIR=str(tmp / "data"), STADSREGISTER_SECRET_KEY="bench-" * 8,
               PYTHONWARNINGS=f"ignore:{NAMES_WARNING}")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "register:create_app()"], env=env, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        rows = []
        for name, (_estimator, frame, _outcome) in built.items():
            code, spec = registered["codes"][name], registered["specs"][name]
            records = frame.sample(args.runs + 5, random_state=1, replace=len(frame) < args.runs + 5)
            cases = [form_case(r, spec) for r in records.to_dict("records")]
            over_http(port, code, cases[:10])  # both workers build their explainer
            over_http(port, code, cases[:10])
            for phase in PHASES:
                stop, burners = multiprocessing.Event(), []
                if phase != "quiet":
                    cores = sorted(os.sched_getaffinity(0))
                    burners = [multiprocessing.Process(target=burn, args=(stop, core if phase == "under load" else None))
                               for core in cores]
                    for b in burners:
                        b.start()
                try:
                    local = percentiles(in_process(url, tmp, name, code, cases))
                    json_times, page_times = over_http(port, code, cases)
                finally:
                    stop.set()
                    for b in burners:
                        b.join()
                rows.append((name, phase, local, percentiles(json_times), percentiles(page_times)))
                print(f"  measured {name}, {phase}", flush=True)
        print(f"\n{'model':<34}{'phase':<12}{'in-process p50/p95':>20}{'explain.json p50/p95':>22}"
              f"{'json target':>13}{'page p50/p95':>16}{'page target':>13}")
        for name, phase, local, js, page in rows:
            json_target = 1.5 * local[0] + 3
            page_target = 25 if phase == "quiet" else 50
            name = name if phase == "quiet" else ""
            print(f"{name:<34}{phase:<12}{local[0]:>9.1f} /{local[1]:>7.1f}{js[0]:>11.1f} /{js[1]:>7.1f}"
                  f"{('ok' if js[0] <= json_target else 'MISS') + f' {json_target:.0f}':>13}"
                  f"{page[0]:>8.1f} /{page[1]:>6.1f}{('ok' if page[1] <= page_target else 'MISS') + f' {page_target}':>13}")
        print("ms; 'under load': one busy-looping process pinned to each core beside the server and this client; "
              "'load, free': the same processes left for the scheduler to place (see burn()). "
              "The machine may also be shared with other work: see the load figure above.")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
