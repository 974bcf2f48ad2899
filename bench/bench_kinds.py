"""Explain latency for the other model kinds (issue 11): DMN rules, XGBoost, LightGBM, a text classifier
and ONNX models of 10 and 20 inputs. Prints p50/p95 per kind and the build time; asserts nothing.

Run: ``python bench/bench_kinds.py [--quick]``. Target (issue 11, 2-core machine): an ONNX
explanation ≤ 1 s for up to 20 inputs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explain import load_reference, load_spec
from explain.methods.boosters import BoosterExplainer, load_booster
from explain.methods.onnx import OnnxExplainer, load_onnx
from explain.methods.text import load_text_model, load_text_spec
from sample_models import ARTEFACTS
from tests.explain.kinds_data import bundled


def timed(fn, cases) -> tuple[float, float]:
    times = []
    for case in cases:
        start = time.perf_counter()
        fn(case)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def report(name: str, build_s: float, fn, cases, note: str = "") -> None:
    p50, p95 = timed(fn, cases)
    print(f"{name:<34} build {build_s:7.2f} s   explain p50 {p50:8.1f} ms   p95 {p95:8.1f} ms {note}",
          flush=True)


def boosters(n: int, folder: Path) -> None:
    import xgboost as xgb

    ko = ARTEFACTS / "kinderopvang"
    spec = load_spec(ko / "spec.json")
    ref = load_reference(ko / "reference.csv", spec)
    start = time.perf_counter()
    explainer = BoosterExplainer(load_booster(ko / "model.txt", ko / "preprocessing.skops"), spec, ref)
    rows = [ref[spec.names].iloc[i].to_dict() for i in range(n)]
    report("LightGBM (childcare sample, 120 trees)", time.perf_counter() - start, explainer.explain, rows)

    frame, spec, _ = bundled("breast_cancer")
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 4, "nthread": 1},
                        xgb.DMatrix(frame[spec.names], label=frame["doel"]), 200)
    booster.save_model(folder / "x.json")
    start = time.perf_counter()
    explainer = BoosterExplainer(load_booster(folder / "x.json"), spec, frame)
    rows = [frame[spec.names].iloc[i].to_dict() for i in range(n)]
    report("XGBoost (breast cancer, 200 trees)", time.perf_counter() - start, explainer.explain, rows)


def rules(n: int) -> None:
    import json

    from explain.dmn import explain_case, load_dmn

    folder = ARTEFACTS / "parkeerscan"
    start = time.perf_counter()
    model = load_dmn((folder / "rules.dmn").read_bytes())
    spec = json.loads((folder / "spec.json").read_text(encoding="utf-8"))
    frame = pd.read_csv(folder / "reference.csv")
    cases = [{k: (bool(v) if k == "parkeerrecht" else v.item() if hasattr(v, "item") else v)
              for k, v in row.items()} for row in frame.head(n).to_dict("records")]
    report("DMN rules (parking scan, 2 tables)", time.perf_counter() - start,
           lambda case: explain_case(model, case, spec), cases, "  (fired rules, deciding inputs, nearest)")


def text(n: int) -> None:
    folder = ARTEFACTS / "meldingen"
    start = time.perf_counter()
    explainer = load_text_model(folder / "model.skops", load_text_spec(folder / "spec.json"))
    reports = pd.read_csv(folder / "reference.csv").melding.tolist()[:n]
    report("text (reports sample, tfidf + LR)", time.perf_counter() - start, explainer.explain, reports)


def onnx_models(n: int, folder: Path) -> None:
    from skl2onnx import to_onnx
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.neural_network import MLPClassifier

    for inputs in (10, 20):
        frame, spec, _ = bundled("breast_cancer", inputs)
        x = frame[spec.names].to_numpy(np.float32)
        for label, model in (("random forest 100", RandomForestClassifier(100, random_state=0)),
                             ("MLP 32", MLPClassifier((32,), max_iter=600, random_state=0))):
            model.fit((x - x.mean(0)) / x.std(0) if label.startswith("MLP") else x, frame["doel"])
            if label.startswith("MLP"):  # scale inside the exported pipeline
                from sklearn.pipeline import make_pipeline
                from sklearn.preprocessing import StandardScaler

                model = make_pipeline(StandardScaler(), MLPClassifier((32,), max_iter=600,
                                                                      random_state=0)).fit(x, frame["doel"])
            path = folder / f"{inputs}.onnx"
            path.write_bytes(to_onnx(model, x[:1]).SerializeToString())
            start = time.perf_counter()
            explainer = OnnxExplainer(load_onnx(path), spec, frame)
            build = time.perf_counter() - start
            rows = [frame[spec.names].iloc[i].to_dict() for i in range(n)]
            acc = explainer.accuracy
            report(f"ONNX {label}, {inputs} inputs", build, explainer.explain, rows,
                   f"  error ≤ {acc['max_abs_error']:.2f} points vs {acc['compared_with']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer cases")
    n = 20 if parser.parse_args().quick else 100
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        rules(n)
        boosters(n, Path(tmp))
        text(n)
        onnx_models(max(10, n // 5), Path(tmp))


if __name__ == "__main__":
    main()
