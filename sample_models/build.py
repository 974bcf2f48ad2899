"""Regenerate every sample model: ``python -m sample_models.build [--out DIR] [NAME ...]``."""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path

from . import ARTEFACTS, KINDS, NAMES, training_versions


def build(names=NAMES, out: Path = ARTEFACTS) -> dict:
    """Build the named sample models into ``out/<name>/``; return their artefact paths.
    Building every one of them also records the training libraries in ``out/built_with.json``."""
    results = {}
    for name in names:
        module = importlib.import_module(f"sample_models.{name}")
        results[name] = module.build(Path(out) / name)
    if set(names) >= set(NAMES + KINDS):
        (Path(out) / "built_with.json").write_text(json.dumps(training_versions(), indent=2) + "\n")
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(NAMES + KINDS)} (default: all)")
    parser.add_argument("--out", type=Path, default=ARTEFACTS)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(NAMES + KINDS))
    if unknown:
        parser.error(f"unknown sample model(s): {', '.join(unknown)}")
    for name, paths in build(args.names or NAMES + KINDS, args.out).items():
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in paths.items()))


if __name__ == "__main__":
    main()
