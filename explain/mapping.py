"""Map the columns a preprocessing step produces back to the original input features.

Explanations are always given in the resident's own inputs: the contributions of the columns
a one-hot encoder makes from 'wijk' are summed back into 'wijk'. The map is derived from the
fitted transformers and then verified by perturbing each input on reference rows.
"""

from __future__ import annotations

import numpy as np

from .errors import ExplainerError


def _as_list(cols, names_in: list[str]) -> list[str]:
    if isinstance(cols, str):
        return [cols]
    if isinstance(cols, slice):
        return names_in[cols]
    arr = np.asarray(cols)
    if arr.dtype == bool:
        return [n for n, keep in zip(names_in, arr) if keep]
    if np.issubdtype(arr.dtype, np.integer):
        return [names_in[i] for i in arr]
    return [str(c) for c in arr]


def _leaf_sources(trans, names_in: list[str]) -> list[list[str]]:
    """For each output column of a fitted leaf transformer, the input names it depends on."""
    if trans == "passthrough" or trans is None:
        return [[n] for n in names_in]
    try:
        out = [str(n) for n in trans.get_feature_names_out(np.asarray(names_in, dtype=object))]
    except Exception:  # noqa: BLE001
        out = None
    if out is None:
        n_out = _n_out(trans, len(names_in))
        if n_out == len(names_in):
            return [[n] for n in names_in]
        raise ExplainerError(
            "unmappable",
            f"Cannot tell which inputs {type(trans).__name__} uses.",
            f"Niet te bepalen welke invoer {type(trans).__name__} gebruikt.",
        )
    sources = []
    for name in out:
        name = name.removeprefix("missingindicator_")
        matches = [n for n in names_in if name == n or name.startswith(n + "_")]
        if not matches:
            raise ExplainerError(
                "unmappable",
                f"Output column '{name}' does not come from one input feature.",
                f"Kolom '{name}' komt niet uit één invoerkenmerk.",
            )
        sources.append([max(matches, key=len)])
    return sources


def _n_out(trans, n_in: int) -> int:
    probe = np.zeros((1, n_in))
    try:
        return np.asarray(trans.transform(probe)).shape[1]
    except Exception:  # noqa: BLE001
        return n_in


def column_sources(pre, names_in: list[str]) -> list[list[str]]:
    """Output columns of a fitted preprocessing step → source input names (per column)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if isinstance(pre, Pipeline):
        sources = [[n] for n in names_in]
        current = list(names_in)
        for _, step in pre.steps:
            if step == "passthrough" or step is None:
                continue
            fitted = getattr(step, "feature_names_in_", None)
            names = (
                [str(n) for n in fitted]
                if fitted is not None and len(fitted) == len(current)
                else current
            )
            inner = column_sources(step, names)
            index = {n: i for i, n in enumerate(names)}
            sources = [sorted({s for c in cols for s in sources[index[c]]}) for cols in inner]
            current = [f"x{i}" for i in range(len(sources))]
        return sources
    if isinstance(pre, ColumnTransformer):
        out: list[list[str] | None] = [None] * sum(
            s.stop - s.start for s in pre.output_indices_.values()
        )
        for name, trans, cols in pre.transformers_:
            if trans == "drop":
                continue
            sl = pre.output_indices_[name]
            if sl.stop == sl.start:
                continue
            cols_in = _as_list(cols, names_in)
            inner = (
                column_sources(trans, cols_in)
                if isinstance(trans, (Pipeline, ColumnTransformer))
                else _leaf_sources(trans, cols_in)
            )
            if len(inner) != sl.stop - sl.start:
                raise ExplainerError(
                    "unmappable",
                    f"Column count mismatch in '{name}'.",
                    f"Aantal kolommen klopt niet in '{name}'.",
                )
            out[sl] = inner
        return out  # type: ignore[return-value]
    return _leaf_sources(pre, names_in)


def grouping_matrix(sources: list[list[str]], features: list[str]) -> np.ndarray:
    """A (n_columns × n_features) 0/1 matrix; refuses columns made from several inputs."""
    matrix = np.zeros((len(sources), len(features)))
    index = {f: j for j, f in enumerate(features)}
    for i, cols in enumerate(sources):
        if len(cols) != 1 or cols[0] not in index:
            raise ExplainerError(
                "unmappable",
                f"Encoded column {i} is made from {cols or 'no input'}; each column must come "
                "from exactly one input feature to explain in original features.",
                f"Gecodeerde kolom {i} komt uit {cols or 'geen invoer'}; elke kolom moet uit "
                "precies één invoerkenmerk komen.",
            )
        matrix[i, index[cols[0]]] = 1.0
    return matrix


def verify_grouping(pre, frame, matrix: np.ndarray, features: list[str], transform) -> None:
    """Change one input at a time; only the columns mapped to it may change."""
    base = transform(frame)
    for j, name in enumerate(features):
        shifted = frame.copy()
        shifted[name] = np.roll(shifted[name].to_numpy(), 1)
        changed = np.any(~np.isclose(transform(shifted), base, equal_nan=True), axis=0)
        allowed = matrix[:, j] > 0
        if np.any(changed & ~allowed):
            cols = np.flatnonzero(changed & ~allowed).tolist()
            raise ExplainerError(
                "unmappable",
                f"Changing '{name}' also changes encoded columns {cols}.",
                f"Een andere waarde voor '{name}' verandert ook kolommen {cols}.",
            )
