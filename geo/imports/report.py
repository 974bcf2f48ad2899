"""The result of reading an import file: valid rows and problems, row by row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..boundary import Boundary, Districts
from ..messages import message
from ..validate import validate_sensor
from ..values import is_blank
from .columns import field_label


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` as the person sees it in the file (None for the whole file)."""

    row: int | None
    field: str | None
    column: str | None
    message: str
    reference: str | None = None


@dataclass(frozen=True)
class ImportRow:
    row: int
    sensor: dict[str, Any]


@dataclass
class ImportReport:
    """What an import file holds.  Reading writes nothing; the caller decides what to keep.

    ``rows`` are the valid sensors with their row numbers.  A caller that imports all or nothing
    checks ``ok``; one that imports the valid rows uses ``sensors``.  Re-importing should update
    existing sensors by ``reference``.
    """

    format: str
    row_label: str = "row"
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped_empty: list[int] = field(default_factory=list)
    owner: dict[str, Any] | None = None
    total: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def sensors(self) -> list[dict[str, Any]]:
        return [r.sensor for r in self.rows]

    @property
    def error_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row is not None})

    def errors_by_row(self) -> dict[int | None, list[RowError]]:
        out: dict[int | None, list[RowError]] = {}
        for error in self.errors:
            out.setdefault(error.row, []).append(error)
        return out

    def summary(self) -> dict[str, Any]:
        """JSON-ready counts and errors (no sensor data), for a portal page or the CLI."""
        return {"format": self.format, "total": self.total, "valid": len(self.rows),
                "invalid": len(self.error_rows), "skipped_empty": self.skipped_empty,
                "errors": [asdict(e) for e in self.errors]}


MAX_INVALID_ROWS = 500  # past this many rows with errors the file is not read further


class RowValidator:
    """Validates rows in file order and catches references that occur twice in one file.

    After ``MAX_INVALID_ROWS`` rows with errors it says so once and sets ``stopped``; readers
    then stop reading, so a file of junk costs the server moments, not minutes (issue 12)."""

    def __init__(self, report: ImportReport, *, boundary: Boundary | None, locale: str,
                 districts: Districts | None, defaults: Mapping[str, Any] | None,
                 column_of: Callable[[str], str | None]) -> None:
        self.report = report
        self.boundary = boundary or Boundary.default()
        self.districts = districts or Districts.default()
        self.locale = locale
        self.defaults = dict(defaults or {})
        self.column_of = column_of
        self.seen: dict[str, int] = {}
        self.pending_empty: list[int] = []
        self.invalid = 0
        self.stopped = False

    def file_error(self, code: str, **params: Any) -> None:
        self.report.errors.append(RowError(None, None, None, message(code, self.locale, **params)))

    def add(self, row: int, data: Mapping[str, Any]) -> None:
        if all(is_blank(v) or v == [] for v in data.values()):
            self.pending_empty.append(row)  # only empty rows *between* sensors are reported
            return
        self.report.skipped_empty.extend(self.pending_empty)
        self.pending_empty = []
        self.report.total += 1
        merged = {**self.defaults, **{k: v for k, v in data.items() if not is_blank(v)}}
        clean, errors = validate_sensor(merged, boundary=self.boundary, locale=self.locale,
                                        districts=self.districts)
        ref = clean.get("reference")
        key = ref.casefold() if ref else None
        if key is not None and key in self.seen:
            errors = {"reference": message("duplicate_reference", self.locale, value=ref,
                                           first=self.seen[key]), **errors}
        elif key is not None:
            self.seen[key] = row
        for fld, text in errors.items():
            column = self.column_of(fld) or field_label(fld, self.locale)
            self.report.errors.append(RowError(row, fld, column, text, ref))
        if not errors:
            self.report.rows.append(ImportRow(row, clean))
            return
        self.invalid += 1
        if self.invalid >= MAX_INVALID_ROWS:
            self.stopped = True
            self.file_error("too_many_invalid_rows", count=MAX_INVALID_ROWS, row=row)


def plain(value: Any) -> Any:
    """numpy scalars/arrays from pandas or pyogrio as plain Python values."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()
    return value


def first_present(mapping: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if not is_blank(mapping.get(key)):
            return mapping[key]
    return None
