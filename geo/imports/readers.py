"""Readers for CSV, GeoJSON, GeoPackage and Amsterdam's bulk registration workbook.

Every reader returns an ``ImportReport`` and writes nothing.  Row numbers are those a person
sees: Excel's row numbers in a workbook, the spreadsheet line in a CSV (header = 1), the
feature number in GeoJSON and the feature id (fid) in a GeoPackage.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from defusedxml import DefusedXmlException

from ..boundary import Boundary, Districts
from .columns import ColumnMap, header_key
from .report import ImportReport, RowValidator, plain
from .vector import VectorError, check_workbook_bytes, read_geojson_bytes, read_geopackage_bytes

Source = str | Path | bytes | BinaryIO

WORKBOOK_OWNER_SHEET = "Uw gegevens"
WORKBOOK_SENSOR_SHEET = "Sensorregistratie"
REQUIRED = ("reference", "sensor_type", "measures", "purpose", "personal_data", "end_date")

_OWNER_LABELS = {
    "naam organisatie/bedrijf": "organisation", "postcode": "postcode",
    "huisnummer": "house_number", "toevoeging": "house_number_addition",
    "straatnaam": "street", "plaatsnaam": "city", "e-mail": "email",
    "telefoonnummer": "phone", "kvk-nummer": "kvk_number", "website": "website",
    "voornaam": "first_name", "tussenvoegsel": "name_prefix", "achternaam": "last_name",
}


def _bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    return source.read()


def _validator(report, cols, options) -> RowValidator:
    return RowValidator(report, column_of=cols.column_of, **options)


def _options(boundary, locale, districts, defaults) -> dict[str, Any]:
    return {"boundary": boundary, "locale": locale, "districts": districts, "defaults": defaults}


def read_csv(source: Source, *, boundary: Boundary | None = None, locale: str = "nl",
             districts: Districts | None = None,
             defaults: Mapping[str, Any] | None = None) -> ImportReport:
    """A CSV with a header row; ',' or ';' separated, UTF-8 (with or without BOM) or cp1252.

    Read with the csv module rather than GDAL's CSV driver, so that every cell stays the text
    the person typed (decimal commas, '0'-prefixed references) until validation reads it.
    """
    report = ImportReport(format="csv", row_label="row")
    raw = _bytes(source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else \
        "\t" if first.count("\t") > first.count(",") else ","
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not lines:
        RowValidator(report, column_of=lambda f: None,
                     **_options(boundary, locale, districts, defaults)).file_error(
            "unreadable_file", detail="empty")
        return report
    cols = ColumnMap(lines[0])
    rows = _validator(report, cols, _options(boundary, locale, districts, defaults))
    if _missing_columns(cols, rows):
        return report
    for number, cells in enumerate(lines[1:], start=2):
        rows.add(number, cols.row(cells))
    return report


def _missing_columns(cols: ColumnMap, rows: RowValidator) -> bool:
    missing = cols.missing(tuple(f for f in REQUIRED if f not in rows.defaults))
    has_location = any(f in cols.fields for f in ("lat", "lon", "x", "y", "geometry", "areas"))
    if not has_location:
        missing.append("lat/lon")
    if missing:
        rows.file_error("missing_columns", columns=", ".join(missing))
    return bool(missing)


def _read_vector(source: Source, fmt: str, layer: str | None, options) -> ImportReport:
    """GeoJSON or GeoPackage through the GDAL-free readers in ``vector.py`` (issue 12)."""
    report = ImportReport(format=fmt, row_label="feature")
    try:
        raw = _bytes(source)
        table = read_geopackage_bytes(raw, layer) if fmt == "gpkg" else read_geojson_bytes(raw)
    except VectorError as exc:
        RowValidator(report, column_of=lambda f: None, **options).file_error(
            exc.code, **exc.params)
        return report
    cols = ColumnMap(table.columns + ["geometry"])
    rows = _validator(report, cols, options)
    for number, props, geom in table.features:
        row = cols.row([plain(props.get(c)) for c in table.columns] + [geom])
        ref = str(row.get("reference") or "").strip()
        if ref in table.extra.get("sensor_areas", {}):
            row["geometry"] = table.extra["sensor_areas"][ref]
        if ref in table.extra.get("camera_fields_of_view", {}):
            row["field_of_view"] = table.extra["camera_fields_of_view"][ref]
        rows.add(number, row)
    return report


def read_geojson(source: Source, *, boundary: Boundary | None = None, locale: str = "nl",
                 districts: Districts | None = None,
                 defaults: Mapping[str, Any] | None = None) -> ImportReport:
    """A GeoJSON FeatureCollection: Point features, or (Multi)Polygons for mobile sensors."""
    return _read_vector(source, "geojson", None,
                        _options(boundary, locale, districts, defaults))


def read_geopackage(source: Source, *, layer: str | None = None,
                    boundary: Boundary | None = None, locale: str = "nl",
                    districts: Districts | None = None,
                    defaults: Mapping[str, Any] | None = None) -> ImportReport:
    """One layer (the first by default) of a GeoPackage, in any CRS pyproj knows."""
    return _read_vector(source, "gpkg", layer, _options(boundary, locale, districts, defaults))


def read_workbook(source: Source, *, boundary: Boundary | None = None, locale: str = "nl",
                  districts: Districts | None = None,
                  defaults: Mapping[str, Any] | None = None) -> ImportReport:
    """Amsterdam's bulk registration workbook: sheets 'Uw gegevens' and 'Sensorregistratie'.

    The owner sheet fills ``report.owner`` (private: for matching the organisation, never for
    publication) and supplies ``owner_name`` and the contact fields to every row.  The city's
    workbook has no retention column; a 'Bewaartermijn' column is read when present, otherwise
    pass ``defaults={'retention_days': …}`` or the rows with personal data report it missing.
    """
    import openpyxl
    from openpyxl import load_workbook

    if not openpyxl.DEFUSEDXML:  # never parse an upload's XML with entity expansion
        raise RuntimeError("defusedxml must be installed (and OPENPYXL_DEFUSEDXML not False)")

    report = ImportReport(format="xlsx", row_label="row")
    options = _options(boundary, locale, districts, defaults)
    try:
        raw = _bytes(source)
        check_workbook_bytes(raw)
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
        try:  # read_only: each sheet's XML is parsed while its rows are read
            _read_book(book, report, options, defaults)
        finally:
            book.close()
    except VectorError as exc:
        return _refused_file(options, exc.code, **exc.params)
    except Exception as exc:  # noqa: BLE001 - the parsing libraries raise many kinds
        if _caused_by(exc, DefusedXmlException):  # openpyxl wraps what the parser raised
            return _refused_file(options, "unsafe_xml")
        return _refused_file(options, "unreadable_file", detail=str(exc).split("\n")[0][:200])
    return report


def _caused_by(exc: BaseException | None, kind: type) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _refused_file(options, code: str, **params: Any) -> ImportReport:
    """A fresh report holding only the file's error: nothing half-read is passed on."""
    report = ImportReport(format="xlsx", row_label="row")
    RowValidator(report, column_of=lambda f: None, **options).file_error(code, **params)
    return report


def _read_book(book, report: ImportReport, options, defaults) -> None:
    sheets = {s.strip().casefold(): s for s in book.sheetnames}
    if WORKBOOK_OWNER_SHEET.casefold() in sheets:
        report.owner = _owner(book[sheets[WORKBOOK_OWNER_SHEET.casefold()]])
    sensor_sheet = sheets.get(WORKBOOK_SENSOR_SHEET.casefold())
    if sensor_sheet is None:
        RowValidator(report, column_of=lambda f: None, **options).file_error(
            "missing_sheet", sheet=WORKBOOK_SENSOR_SHEET)
        return
    owner_defaults = _owner_defaults(report.owner or {})
    options = {**options, "defaults": {**owner_defaults, **(defaults or {})}}
    lines = book[sensor_sheet].iter_rows(values_only=True)
    header = next(lines, None) or []
    cols = ColumnMap(list(header))
    rows = _validator(report, cols, options)
    if not _missing_columns(cols, rows):
        for number, cells in enumerate(lines, start=2):
            rows.add(number, cols.row(list(cells)))


def _owner(sheet) -> dict[str, Any]:
    owner: dict[str, Any] = {}
    for cells in sheet.iter_rows(min_col=1, max_col=2, values_only=True):
        label, value = (list(cells) + [None, None])[:2]
        key = _OWNER_LABELS.get(header_key(label))
        if key and value is not None and str(value).strip():
            owner[key] = str(value).strip() if not isinstance(value, (int, float)) else value
    return owner


def _owner_defaults(owner: Mapping[str, Any]) -> dict[str, Any]:
    name = " ".join(str(owner[k]) for k in ("first_name", "name_prefix", "last_name")
                    if owner.get(k))
    return {k: v for k, v in {"owner_name": owner.get("organisation"),
                              "contact_name": name or None, "contact_email": owner.get("email"),
                              "contact_phone": owner.get("phone")}.items() if v}


READERS = {".csv": read_csv, ".txt": read_csv, ".geojson": read_geojson, ".json": read_geojson,
           ".gpkg": read_geopackage, ".xlsx": read_workbook}


def read_file(source: Source, *, filename: str | None = None, **options: Any) -> ImportReport:
    """Chooses the reader by the file name's extension (``filename`` for uploaded bytes)."""
    name = filename or (str(source) if isinstance(source, (str, Path)) else "")
    suffix = Path(name).suffix.lower()
    if suffix not in READERS:
        raise ValueError(f"unsupported import format {suffix!r}; use one of {sorted(READERS)}")
    return READERS[suffix](source, **options)
