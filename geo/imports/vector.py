"""GeoJSON and GeoPackage uploads read without GDAL.

An upload is opened only as the one format its name says, from bytes checked to be that format;
nothing named inside it (a path, a URL, another driver) is ever followed.  That is why these
readers do not use GDAL/OGR: GDAL picks its driver from the content, so a ".geojson" that is
really an OGR VRT document made it read the server's files and fetch URLs (issue 12).

- GeoJSON is parsed with ``json`` and its geometries with shapely.
- A GeoPackage must start with SQLite's header and carry the GeoPackage application id.  It is
  copied into a private temporary folder and opened read-only and immutable with Python's own
  sqlite3: an authorizer allows nothing but reading ordinary tables, no functions run, virtual
  tables and views are refused, and a progress handler stops runaway queries.  Geometry blobs
  are decoded by the GeoPackage binary format and then read as WKB by shapely.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ..crs import WGS84
from ..geometry import ensure_wgs84

SQLITE_HEADER = b"SQLite format 3\x00"
GPKG_APPLICATION_IDS = {b"GPKG", b"GP10", b"GP11"}
MAX_SQLITE_STEPS = 50_000_000  # VM instructions for the whole read; far above any real file
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_EPSG = re.compile(r"EPSG:{1,2}(\d{4,6})$", re.IGNORECASE)


class VectorError(ValueError):
    """The upload is not the format it claims, or not one we read; ``code`` names the message
    in ``geo.messages`` and ``params`` fill it in."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class VectorTable:
    """Features as (number a person sees, properties, geometry or raw geometry value)."""

    columns: list[str] = field(default_factory=list)
    features: list[tuple[int, dict[str, Any], Any]] = field(default_factory=list)
    extra: dict[str, dict[str, BaseGeometry]] = field(default_factory=dict)


def _to_wgs84(geom: Any, crs: str | None) -> Any:
    """WGS84 geometry; a value that is no geometry is passed on for the row's own error."""
    if not isinstance(geom, BaseGeometry) or geom.is_empty:
        return geom
    return ensure_wgs84(geom, crs) if crs not in (None, WGS84) else geom


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value


# --- Excel workbook (read by openpyxl; checked here before it inflates anything) ---------

MAX_WORKBOOK_INFLATED = 200 * 2**20
MAX_WORKBOOK_ENTRIES = 2_000


def check_workbook_bytes(raw: bytes) -> None:
    """Raises VectorError unless the bytes are an Office Open XML workbook that inflates to a
    bounded size (zip's declared sizes bound what zipfile will inflate; a lie fails the CRC)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError):
        raise VectorError("not_this_format", format="Excel (.xlsx)") from None
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise VectorError("not_this_format", format="Excel (.xlsx)")
        if len(entries) > MAX_WORKBOOK_ENTRIES or \
                sum(entry.file_size for entry in entries) > MAX_WORKBOOK_INFLATED:
            raise VectorError("workbook_too_large", mb=MAX_WORKBOOK_INFLATED // 2**20)


# --- GeoJSON -------------------------------------------------------------------------------

def _geojson_crs(doc: dict[str, Any]) -> str | None:
    """RFC 7946 GeoJSON is WGS84; the legacy ``crs`` member may name an EPSG code."""
    member = doc.get("crs")
    if member is None:
        return WGS84
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    if not isinstance(name, str):
        raise VectorError("unknown_crs_name", name=str(member)[:80])
    if name.upper().endswith("CRS84"):
        return WGS84
    match = _EPSG.search(name.strip())
    if not match:
        raise VectorError("unknown_crs_name", name=name[:80])
    return f"EPSG:{int(match.group(1))}"


def read_geojson_bytes(raw: bytes) -> VectorTable:
    """A FeatureCollection (or one Feature) as a table; raises VectorError for anything else."""
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except RecursionError:
        raise VectorError("nested_too_deep") from None
    except (UnicodeDecodeError, ValueError):
        raise VectorError("not_this_format", format="GeoJSON") from None
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise VectorError("not_this_format", format="GeoJSON")
    crs = _geojson_crs(doc)
    features = doc.get("features") if doc["type"] == "FeatureCollection" else [doc]
    if not isinstance(features, list):
        raise VectorError("not_this_format", format="GeoJSON")
    table = VectorTable()
    seen: dict[str, None] = {}
    for number, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        for key in props:
            seen.setdefault(str(key), None)
        raw_geom = feature.get("geometry")
        try:
            geom = shape(raw_geom) if isinstance(raw_geom, dict) else raw_geom
        except Exception:  # noqa: BLE001 - shapely raises many kinds; the row reports it
            geom = raw_geom if isinstance(raw_geom, dict) else None
        table.features.append((number, {str(k): _cell(v) for k, v in props.items()},
                               _to_wgs84(geom, crs)))
    table.columns = list(seen)
    return table


# --- GeoPackage ----------------------------------------------------------------------------

def check_geopackage_bytes(raw: bytes) -> None:
    """Raises VectorError unless the bytes are an SQLite file with a GeoPackage application id."""
    if raw[:16] != SQLITE_HEADER or len(raw) < 100:
        raise VectorError("not_this_format", format="GeoPackage")
    if raw[68:72] not in GPKG_APPLICATION_IDS:
        raise VectorError("not_this_format", format="GeoPackage")


def _authorizer(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg1 == "table_info":
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def gpkg_geometry(blob: Any) -> BaseGeometry | None:
    """A geometry from a GeoPackage binary blob ('GP' header, envelope, then WKB)."""
    if blob is None:
        return None
    data = bytes(blob)
    if len(data) < 8 or data[:2] != b"GP":
        raise VectorError("package_not_plain")
    flags = data[3]
    size = _ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if size is None:
        raise VectorError("package_not_plain")
    if (flags >> 4) & 1:
        return None
    return shapely.from_wkb(data[8 + size:])


class _Package:
    """One read-only, immutable connection to a private copy of the upload."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        self.db.execute("PRAGMA trusted_schema = OFF")
        self.db.execute("PRAGMA query_only = ON")
        self.steps = 0
        self.db.set_progress_handler(self._progress, 10_000)
        self.db.set_authorizer(_authorizer)
        self.tables = {name for name, sql in self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            if not str(sql or "").lstrip().upper().startswith("CREATE VIRTUAL")}

    def _progress(self) -> int:
        self.steps += 10_000
        return 1 if self.steps > MAX_SQLITE_STEPS else 0

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        return self.db.execute(sql, params).fetchall()

    def require(self, table: str) -> str:
        if table not in self.tables:
            raise VectorError("package_not_plain")
        return _quote(table)

    def crs(self, srs_id: int) -> str | None:
        self.require("gpkg_spatial_ref_sys")
        found = self.rows("SELECT organization, organization_coordsys_id FROM "
                          "gpkg_spatial_ref_sys WHERE srs_id = ?", srs_id)
        if not found or srs_id in (0, -1):
            return None  # undefined: recognised by the coordinates' range
        org, code = found[0]
        if str(org).upper() != "EPSG" or not isinstance(code, int):
            raise VectorError("unknown_crs_name", name=f"{org}:{code}")
        return f"EPSG:{code}"

    def layer(self, name: str) -> tuple[list[str], list[tuple[int, dict[str, Any], Any]]]:
        """Columns and features of one feature table, in WGS84, numbered by primary key."""
        quoted = self.require(name)
        self.require("gpkg_geometry_columns")
        geometry = self.rows("SELECT column_name, srs_id FROM gpkg_geometry_columns "
                             "WHERE table_name = ?", name)
        if not geometry:
            raise VectorError("package_not_plain")
        geom_column, srs_id = geometry[0]
        crs = self.crs(srs_id)
        info = self.rows(f"PRAGMA table_info({quoted})")
        pk = next((c[1] for c in info if c[5]), None)
        types = {c[1]: str(c[2]).upper() for c in info}
        columns = [c[1] for c in info if c[1] not in (pk, geom_column)]
        order = f" ORDER BY {_quote(pk)}" if pk else ""
        select = ", ".join(_quote(c) for c in [pk or "rowid", geom_column, *columns])
        features = []
        for number, (fid, blob, *cells) in enumerate(self.rows(
                f"SELECT {select} FROM {quoted}{order}"), start=1):
            values = {c: (bool(v) if types[c] == "BOOLEAN" and isinstance(v, int) else
                          None if isinstance(v, bytes) else v) for c, v in zip(columns, cells)}
            try:
                geom = _to_wgs84(gpkg_geometry(blob), crs)
            except (VectorError, shapely.errors.ShapelyError):
                geom = "unreadable geometry"
            features.append((fid if isinstance(fid, int) else number, values, geom))
        return columns, features


def read_geopackage_bytes(raw: bytes, layer: str | None = None) -> VectorTable:
    """One feature layer ('sensors' when present, else the first) and, when reading our own
    export's 'sensors' layer, its areas and fields of view by reference."""
    check_geopackage_bytes(raw)
    with tempfile.TemporaryDirectory(prefix="gpkg-") as folder:
        path = Path(folder) / "upload.gpkg"
        path.write_bytes(raw)
        try:
            package = _Package(path)
            try:
                return _read_package(package, layer)
            finally:
                package.db.close()
        except sqlite3.DatabaseError:
            raise VectorError("package_not_plain") from None


def _read_package(package: _Package, layer: str | None) -> VectorTable:
    package.require("gpkg_contents")
    names = [str(n) for (n,) in package.rows(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
    if not names:
        raise VectorError("no_feature_layer")
    layer = layer or ("sensors" if "sensors" in names else names[0])
    if layer not in names:
        raise VectorError("unknown_layer", layer=layer[:60])
    table = VectorTable()
    table.columns, table.features = package.layer(layer)
    for name in ("sensor_areas", "camera_fields_of_view"):
        if layer == "sensors" and name in names:
            _, features = package.layer(name)
            table.extra[name] = {str(props.get("reference")): geom
                                 for _, props, geom in features
                                 if isinstance(geom, BaseGeometry)}
    return table

