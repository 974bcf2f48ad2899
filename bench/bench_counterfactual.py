"""Counterfactual search cost: a 200-tree random forest (issue 10: <= 20 ms per case), and the
sample models; plus a single explanation of the same forest on the probability scale.

Run: ``python bench/bench_counterfactual.py [--cases N]``. Prints figures; asserts nothing.
BLAS/OpenMP threads are limited to one (threadpoolctl), as explanation work should be.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explain import Explainer, counterfactual, load_model, load_reference, load_spec
from sample_models import artefact_paths


def forest_200():
    """The vakantieverhuur pipeline refitted with 200 trees on its own reference data."""
    from sklearn.base import clone

    paths = artefact_paths("vakantieverhuur")
    loaded = load_model(paths["model"])
    spec = load_spec(paths["spec"])
    reference = load_reference(paths["reference"], spec)
    model = clone(loaded.estimator)
    model.set_params(**{model.steps[-1][0] + "__n_estimators": 200})
    y = reference[spec.outcome.column].astype(str)
    model.fit(reference[spec.names], y)
    return model, spec, reference


def sample(name):
    paths = artefact_paths(name)
    spec = load_spec(paths["spec"])
    return load_model(paths["model"]), spec, load_reference(paths["reference"], spec)


def measure(label: str, model, spec, reference, cases: int) -> None:
    explainer = Explainer.build(model, spec, reference)
    rows = [reference[spec.names].iloc[i].to_dict() for i in range(cases)]
    target = None
    if explainer.task == "regression":
        target = -30000.0
    counterfactual(explainer, rows[0], target_change=target)  # builds the per-model search space once
    times, found = [], 0
    for row in rows:
        start = time.perf_counter()
        cf = counterfactual(explainer, row, target_change=target)
        times.append((time.perf_counter() - start) * 1000)
        found += cf.found
    explain_ms = []
    for row in rows[: min(20, cases)]:
        start = time.perf_counter()
        explainer.explain(row)
        explain_ms.append((time.perf_counter() - start) * 1000)
    q = statistics.quantiles(times, n=20)
    print(f"{label:<28} method={explainer.method:<6} counterfactual p50 {statistics.median(times):6.1f} ms"
          f"  p95 {q[18]:6.1f} ms  found {found}/{cases}   explain p50 {statistics.median(explain_ms):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=60)
    args = parser.parse_args()
    np.random.seed(0)
    with threadpool_limits(1):
        measure("random forest, 200 trees", *forest_200(), args.cases)
        for name in ("vakantieverhuur", "woz", "slimme_check"):
            measure(name, *sample(name), args.cases)


if __name__ == "__main__":
    main()
