"""Regenerate every sample model: ``python -m sample_models.build [--out DIR] [NAME ...]``."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from . import ARTEFACTS, NAMES


def build(names=NAMES, out: Path = ARTEFACTS) -> dict:
    """Build the named sample models into ``out/<name>/``; return their artefact paths."""
    results = {}
    for name in names:
        module = importlib.import_module(f"sample_models.{name}")
        results[name] = module.build(Path(out) / name)
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(NAMES)} (default: all)")
    parser.add_argument("--out", type=Path, default=ARTEFACTS)
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(NAMES))
    if unknown:
        parser.error(f"unknown sample model(s): {', '.join(unknown)}")
    for name, paths in build(args.names or NAMES, args.out).items():
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in paths.items()))


if __name__ == "__main__":
    main()
