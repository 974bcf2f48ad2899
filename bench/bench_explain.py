"""Benchmarks for explain/: latency, batch throughput and global explanation time.

Run: ``python bench/bench_explain.py [--quick]``. Prints figures; asserts nothing.

Targets (issue 4, on a 2-core machine): single-row explain + narrate p95 <= 10 ms for the WOZ
model, <= 25 ms for the random forest, <= 1 s for a model-agnostic case; batch >= 2,000
rows/s for the WOZ model. The naive baseline builds ``shap.Explainer(model)`` per request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explain import (
    Explainer,
    global_explanation,
    load_model,
    load_reference,
    load_spec,
    narrate,
)
from sample_models import artefact_paths

TARGETS_MS = {"woz": 10.0, "vakantieverhuur": 25.0, "model-agnostic (MLP, permutation)": 1000.0}


def form_strings(row: dict, spec) -> dict:
    """A reference row as a web form would send it: strings, Dutch decimal comma."""
    out = {}
    for feat in spec.features:
        value = row[feat.name]
        if feat.kind == "number":
            out[feat.name] = f"{value:g}".replace(".", ",")
        elif feat.kind == "yes_no":
            out[feat.name] = "ja" if value else "nee"
        else:
            out[feat.name] = str(value)
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples) * 1000, float(np.percentile(samples, 95)) * 1000


def time_single(explainer, spec, rows, repeat: int) -> list[float]:
    for row in rows[:20]:  # warm up
        narrate(explainer.explain(row), spec, "nl")
    samples = []
    for i in range(repeat):
        row = rows[i % len(rows)]
        start = time.perf_counter()
        narrate(explainer.explain(row), spec, "nl" if i % 2 else "en")
        samples.append(time.perf_counter() - start)
    return samples


def time_naive(explainer, rows, repeat: int) -> list[float]:
    """Build shap.Explainer(model) anew for every request, as a service without caching would."""
    import shap

    final, pre = explainer.final, explainer.pre
    background = None
    if explainer.method == "linear":
        background = explainer.pre.transform(explainer.spec.to_frame(rows[:100]))
    samples = []
    for i in range(repeat):
        frame = explainer.spec.to_frame([explainer.spec.validate_inputs(rows[i % len(rows)])[0]])
        start = time.perf_counter()
        z = pre.transform(frame) if pre is not None else frame
        naive = (
            shap.Explainer(final, background) if background is not None else shap.Explainer(final)
        )
        naive(z)
        samples.append(time.perf_counter() - start)
    return samples


def bench_sample(name: str, quick: bool) -> dict:
    paths = artefact_paths(name)
    spec = load_spec(paths["spec"])
    reference = load_reference(paths["reference"], spec)
    start = time.perf_counter()
    explainer = Explainer.build(load_model(paths["model"]), spec, reference)
    build_s = time.perf_counter() - start
    rows = [form_strings(r, spec) for r in reference[spec.names].to_dict("records")]
    single = time_single(explainer, spec, rows, 200 if quick else 1000)
    naive = time_naive(explainer, rows, 30 if quick else 100)
    start = time.perf_counter()
    global_explanation(explainer, reference.head(1000))
    global_s = time.perf_counter() - start
    big = pd.concat([reference[spec.names]] * (2 if quick else 5), ignore_index=True)
    start = time.perf_counter()
    explainer.explain_many(big)
    batch_rate = len(big) / (time.perf_counter() - start)
    median, p95 = percentiles(single)
    naive_median, _ = percentiles(naive)
    return {
        "name": name,
        "method": explainer.method,
        "build_s": build_s,
        "median_ms": median,
        "p95_ms": p95,
        "naive_median_ms": naive_median,
        "global_s": global_s,
        "batch_rows_per_s": batch_rate,
        "batch_rows": len(big),
    }


def bench_model_agnostic(quick: bool) -> dict:
    """An MLP on the Slimme Check data: no exact explainer applies, so permutation SHAP."""
    from sklearn.neural_network import MLPClassifier

    from sample_models import slimme_check as sc

    rng = np.random.default_rng(sc.SEED)
    train = sc.generate(3000, rng)
    y = sc.true_outcome(train, rng).astype(str)
    pipe = sc.make_model()
    pipe.steps[-1] = (
        "model",
        MLPClassifier(hidden_layer_sizes=(32, 16), max_iter=300, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is beside the point for a timing case
        pipe.fit(train[sc.FEATURES], y)
    paths = artefact_paths("slimme_check")
    spec = load_spec(paths["spec"])
    reference = load_reference(paths["reference"], spec)
    explainer = Explainer.build(pipe, spec, reference)
    rows = [form_strings(r, spec) for r in reference[spec.names].to_dict("records")]
    single = time_single(explainer, spec, rows, 30 if quick else 100)
    median, p95 = percentiles(single)
    start = time.perf_counter()
    global_explanation(explainer, reference.head(100 if quick else 1000))
    global_s = time.perf_counter() - start
    return {
        "name": "model-agnostic (MLP, permutation)",
        "method": explainer.method,
        "median_ms": median,
        "p95_ms": p95,
        "global_s": global_s,
        "global_rows": 100 if quick else 1000,
        "settings": explainer.settings,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    print("explain benchmark (single row = validate form strings + explain + narrate)\n")
    header = f"{'model':<36}{'method':<13}{'median ms':>10}{'p95 ms':>9}{'target':>9}"
    print(header + f"{'naive ms':>10}{'ratio':>8}{'global 1000 s':>15}{'batch rows/s':>14}")
    results = [bench_sample(n, args.quick) for n in ("woz", "slimme_check", "vakantieverhuur")]
    for r in results:
        target = TARGETS_MS.get(r["name"])
        verdict = "" if target is None else ("ok" if r["p95_ms"] <= target else "MISS")
        print(
            f"{r['name']:<36}{r['method']:<13}{r['median_ms']:>10.2f}{r['p95_ms']:>9.2f}"
            f"{(f'{target:g} ' + verdict) if target else '-':>9}{r['naive_median_ms']:>10.2f}"
            f"{r['naive_median_ms'] / r['median_ms']:>7.1f}x{r['global_s']:>15.2f}"
            f"{r['batch_rows_per_s']:>14.0f}"
        )
    agn = bench_model_agnostic(args.quick)
    target = TARGETS_MS[agn["name"]]
    print(
        f"{agn['name']:<36}{agn['method']:<13}{agn['median_ms']:>10.1f}{agn['p95_ms']:>9.1f}"
        f"{f'{target:g} ' + ('ok' if agn['p95_ms'] <= target else 'MISS'):>9}{'-':>10}{'-':>8}"
        f"{agn['global_s']:>15.2f}{'-':>14}   (global over {agn['global_rows']} rows)"
    )
    woz = results[0]
    print(
        f"\nWOZ batch: {woz['batch_rows_per_s']:.0f} rows/s over {woz['batch_rows']} rows "
        f"(target >= 2000: {'ok' if woz['batch_rows_per_s'] >= 2000 else 'MISS'})"
    )
    print("ratio = naive median (new shap.Explainer per request) / our median.")
    print(f"permutation settings: {agn['settings']}")


if __name__ == "__main__":
    main()
