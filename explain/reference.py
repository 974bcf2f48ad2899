"""Reference data against a spec: every problem named with what to change (issue 10).

A missing column names the columns it could be, a misspelt ``outcome.column`` the columns that
are not inputs, a text column declared ``yes_no`` or ``number`` says so; each problem is worded
in English and Dutch (``errors.Problem``).
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .errors import Problem, SpecError
from .spec import FALSE_WORDS, TRUE_WORDS, Feature, FeatureSpec


def _names(columns) -> str:
    return ", ".join(f"'{c}'" for c in columns)


def _missing(feat: Feature, columns: list[str]) -> Problem:
    close = difflib.get_close_matches(feat.name, columns, n=3, cutoff=0.6)
    hint_en = (
        f" Did you mean {_names(close)}?" if close else f" The data has {_names(columns[:30])}."
    )
    hint_nl = f" Bedoelt u {_names(close)}?" if close else f" De data heeft {_names(columns[:30])}."
    return Problem(
        f"column '{feat.name}' from the spec is not in the reference data.{hint_en}",
        f"kolom '{feat.name}' uit de specificatie staat niet in de referentiedata.{hint_nl}",
    )


def _examples(values) -> str:
    return ", ".join(f"'{v}'" for v in list(values)[:5])


def _column_problems(feat: Feature, col) -> list[Problem]:
    import pandas as pd

    name, present = feat.name, col.dropna()
    if feat.kind == "number":
        numbers = pd.to_numeric(present, errors="coerce")
        text = present[numbers.isna()].astype(str).unique()
        if len(text):
            return [
                Problem(
                    f"column '{name}' is declared a number but holds text such as {_examples(text)}; "
                    "declare it as 'category' (with its categories) or fix the data",
                    f"kolom '{name}' is een getal volgens de specificatie, maar bevat tekst zoals "
                    f"{_examples(text)}; maak er een 'category' van (met de categorieën) of verbeter de data",
                )
            ]
        bad = numbers[(numbers < feat.min) | (numbers > feat.max)]
        if len(bad):
            return [
                Problem(
                    f"column '{name}': {len(bad)} value(s) outside {feat.min}–{feat.max} (from "
                    f"{bad.min():g} to {bad.max():g}); widen 'min'/'max' in the spec or fix the data",
                    f"kolom '{name}': {len(bad)} waarde(n) buiten {feat.min}–{feat.max} (van "
                    f"{bad.min():g} tot {bad.max():g}); maak 'min'/'max' ruimer of verbeter de data",
                )
            ]
    elif feat.kind == "yes_no":
        words = TRUE_WORDS | FALSE_WORDS | {"1.0", "0.0"}
        other = sorted({str(v).strip() for v in present if str(v).strip().lower() not in words})
        if other:
            return [
                Problem(
                    f"column '{name}' is declared yes_no but holds {_examples(other)}; a yes/no column "
                    "holds only 1/0, yes/no, ja/nee or true/false. Declare it as 'category' instead",
                    f"kolom '{name}' is ja/nee (yes_no) volgens de specificatie, maar bevat "
                    f"{_examples(other)}; een ja/nee-kolom bevat alleen 1/0, ja/nee, yes/no of "
                    "true/false. Maak er een 'category' van",
                )
            ]
    else:
        unknown = sorted(set(present.astype(str)) - set(feat.category_values()))
        if unknown and {u.lower() for u in unknown} <= TRUE_WORDS | FALSE_WORDS:
            return [
                Problem(
                    f"column '{name}' holds {unknown[:5]}, which are yes/no values; declare it as "
                    "'yes_no' or add them to 'categories'",
                    f"kolom '{name}' bevat {unknown[:5]}: ja/nee-waarden; maak er 'yes_no' van of "
                    "voeg ze toe aan 'categories'",
                )
            ]
        if unknown:
            return [
                Problem(
                    f"column '{name}': categories {unknown[:5]} are in the data but not in the spec; "
                    "add them to 'categories'",
                    f"kolom '{name}': de categorieën {unknown[:5]} staan in de data maar niet in de "
                    "specificatie; voeg ze toe aan 'categories'",
                )
            ]
    return []


def _outcome_problems(spec: FeatureSpec, frame) -> list[Problem]:
    import pandas as pd

    column, outcome = spec.outcome.column, spec.outcome
    if not column:
        return []
    if column not in frame.columns:
        used = {f.name for f in spec.features + spec.fairness_attributes}
        free = [str(c) for c in frame.columns if c not in used]
        could = difflib.get_close_matches(column, free, n=3, cutoff=0.5) or free
        return [
            Problem(
                f"outcome.column '{column}' is not a column of the reference data; it could be "
                f"{_names(could) or '(no column left: add the known outcomes to the data)'}",
                f"outcome.column '{column}' is geen kolom van de referentiedata; het kan "
                f"{_names(could) or '(geen kolom over: voeg de bekende uitkomsten toe)'} zijn",
            )
        ]
    values = frame[column].dropna()
    if outcome.kind == "classification":
        unknown = sorted(set(values.astype(str)) - {c.value for c in outcome.classes})
        if unknown:
            return [
                Problem(
                    f"outcome column '{column}': classes {unknown[:5]} are not in outcome.classes",
                    f"uitkomstkolom '{column}': de klassen {unknown[:5]} staan niet in outcome.classes",
                )
            ]
    elif pd.to_numeric(values, errors="coerce").isna().any():
        return [
            Problem(
                f"outcome column '{column}' holds text, but a regression outcome is a number",
                f"uitkomstkolom '{column}' bevat tekst, maar een regressie-uitkomst is een getal",
            )
        ]
    return []


def check_reference(spec: FeatureSpec, frame, *, outcome: bool = True) -> list[str]:
    """Problems with a reference DataFrame, each saying what to change: missing columns (with the
    names it could be), values of the wrong kind, out of range or unknown, and (``outcome``) the
    outcome column — cases to explain have none."""
    problems: list[str] = []
    columns = [str(c) for c in frame.columns]
    for feat in spec.features + spec.fairness_attributes:
        if feat.name not in frame.columns:
            problems.append(_missing(feat, columns))
        else:
            problems.extend(_column_problems(feat, frame[feat.name]))
    return problems + (_outcome_problems(spec, frame) if outcome else [])


def load_reference(path: str | Path, spec: FeatureSpec):
    """Read a reference CSV and check it against the spec (``SpecError`` lists problems).

    Category and outcome columns are read as text, yes/no columns as 0/1.
    """
    import pandas as pd

    text_cols = [f.name for f in spec.features + spec.fairness_attributes if f.kind == "category"]
    if spec.outcome.column and spec.outcome.kind == "classification":
        text_cols.append(spec.outcome.column)
    frame = pd.read_csv(path, dtype={c: str for c in text_cols}, keep_default_na=True)
    problems = check_reference(spec, frame)
    if problems:
        raise SpecError(problems, what="reference data")
    for feat in spec.features:
        if feat.kind == "yes_no":
            frame[feat.name] = (
                frame[feat.name]
                .map(lambda v: str(v).strip().lower() in TRUE_WORDS | {"1.0"})
                .astype(int)
            )
    return frame
