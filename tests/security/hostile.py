"""Hostile files and requests, made on the spot from their recipe (nothing binary in git).

Each generator returns bytes (or a request description) an attacker could send; the tests in
``test_input_*.py`` assert that the register refuses each one clearly and stores nothing.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import warnings
import zipfile
from pathlib import Path

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

BEYOND_INTEGER = "99999999999999999999"  # more than any database integer column holds
UNICODE_DIGITS = ("²", "٣", "①", "１", "߂", "𝟗")  # str.isdigit() is True for each; int() accepts some
END = (dt.date.today() + dt.timedelta(days=300)).isoformat()


def valid_entry(**overrides) -> dict:
    entry = {
        "name": "Aanvragen parkeervergunning beoordelen",
        "description_short": "Een algoritme controleert of een aanvraag voor een parkeervergunning compleet is.",
        "organization": "Gemeente Amsterdam", "theme": ["Verkeer"], "status": "In gebruik",
        "start_date": "2023-01", "contact": "parkeren@amsterdam.example",
        "publication_category": "Impactvolle algoritmes (Categorie B)",
        "purpose_and_impact": "Sneller beslissen over aanvragen voor een parkeervergunning.",
        "considerations": "Sneller en gelijker dan handmatig controleren.",
        "human_intervention": "Een medewerker beslist over elke afwijzing.",
        "risk_management": "Maandelijkse steekproef door een medewerker.", "impact_assessments": "DPIA",
        "data": "Kenteken, adres en eerdere vergunningen.",
        "technical_operation": "Regels uit de parkeerverordening controleren de aanvraag.",
        "supplier": "Intern ontwikkeld", "decision_kinds": ["Besluit parkeervergunning"],
        "objection_route": "Maak binnen 6 weken bezwaar.",
    }
    entry.update(overrides)
    return entry


def valid_sensor(**overrides) -> dict:
    data = {"reference": "CAM-1", "sensor_type": "camera", "themes": ["safety-surveillance-camera"],
            "measures": "Beelden van de stoep", "purpose": "Beveiliging", "personal_data": True,
            "legal_ground": "legitimate-interest", "privacy_statement_url": "https://a.example/privacy",
            "retention_days": 28, "lat": 52.3731, "lon": 4.8926, "end_date": END,
            "contact_name": "Jan Jansen", "contact_email": "jan@amsterdam.example", "contact_phone": "0612345678"}
    data.update(overrides)
    return data


# ---- the state an attack must leave unchanged --------------------------------------------------

#: Bookkeeping a request may update without storing anything of its own (when a token was last used).
BOOKKEEPING_COLUMNS = ("last_used",)


def snapshot(session, data_dir) -> dict:
    """Every row of every table and every file under the data folder (name → size)."""
    session.expire_all()
    conn = session.connection()
    inspector = sa_inspect(conn)
    rows = {}
    for table in sorted(inspector.get_table_names()):
        if table in ("alembic_version", "spatial_ref_sys") or table.startswith("sqlite_"):
            continue
        with warnings.catch_warnings():  # PostGIS's geometry type is unknown to SQLAlchemy; its name is enough
            warnings.simplefilter("ignore")
            columns = [c["name"] for c in inspector.get_columns(table)
                       if not c["name"].startswith(BOOKKEEPING_COLUMNS)]
        listed = ", ".join(f'"{c}"' for c in columns)
        rows[table] = sorted(repr(tuple(r)) for r in conn.execute(text(f'SELECT {listed} FROM "{table}"')))
    session.rollback()
    root = Path(data_dir)
    files = {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()} \
        if root.exists() else {}
    return {"rows": rows, "files": files}


# ---- deep, broken and poisoned JSON ----------------------------------------------------------

def deep_json(depth: int = 50_000) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_object(depth: int = 50_000) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def lone_surrogate_entry() -> bytes:
    """A JSON entry whose name holds half of a UTF-16 pair (valid JSON, no valid text)."""
    return json.dumps(valid_entry(name="Parkeren \ud800")).encode()


def nul_entry() -> dict:
    return valid_entry(name="Parkeren\x00vergunning")


# ---- PDFs that are more than a PDF -----------------------------------------------------------

XFA_WITH_SCRIPT = (b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template xmlns="http://www.xfa.org/schema/xfa-template/3.3/">'
                   b'<subform name="form1"><event activity="initialize"><script contentType="application/x-javascript">'
                   b'app.alert("XFA");</script></event></subform></template></xdp:xdp>')


def plain_pdf() -> bytes:
    """A harmless one-page PDF (the baseline every hostile PDF below starts from)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return _pdf_bytes(writer)


def _pdf_bytes(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xfa_script_pdf(packet: bytes = XFA_WITH_SCRIPT, as_array: bool = False) -> bytes:
    """A PDF whose AcroForm carries an XFA form with a JavaScript ``<script>``."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        TextStringObject,
    )

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    stream.set_data(packet)
    ref = writer._add_object(stream)
    xfa = ArrayObject([TextStringObject("template"), ref]) if as_array else ref
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({
        NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): xfa}))
    return _pdf_bytes(writer)


def html_before_pdf() -> bytes:
    """A web page that is also a PDF: HTML first, the PDF header within the first 1,024 bytes."""
    return b"<html><body><script>alert(document.cookie)</script><!--\n" + plain_pdf() + b"\n-->"


def pdf_then_html() -> bytes:
    """A PDF with a web page appended after %%EOF."""
    return plain_pdf() + b"\n<html><body><script>alert(1)</script></body></html>\n"


def pdf_then_zip() -> bytes:
    """A PDF with a ZIP archive appended (a PDF/ZIP polyglot, readable by both)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("index.html", "<script>alert(1)</script>")
    return plain_pdf() + buffer.getvalue()


def html_in_header_comment() -> bytes:
    """``%PDF-1.7`` then a comment line holding a script tag, before the first object."""
    pdf = plain_pdf()
    newline = pdf.index(b"\n") + 1
    return pdf[:newline] + b"%<html><script>alert(1)</script></html>\n" + pdf[newline:]


def pdf_with_attachment() -> bytes:
    """A PDF carrying an embedded HTML file."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("uitleg.html", b"<html><script>alert(1)</script></html>")
    return _pdf_bytes(writer)


#: name → (bytes, words the Dutch refusal contains)
HOSTILE_PDFS = {
    "XFA form with a script": (xfa_script_pdf, "XFA"),
    "XFA form (packet array) with a script": (lambda: xfa_script_pdf(as_array=True), "XFA"),
    "HTML before %PDF-": (html_before_pdf, "webpagina"),
    "HTML after %%EOF": (pdf_then_html, "webpagina"),
    "ZIP after %%EOF": (pdf_then_zip, "ZIP"),
    "HTML in the header comment": (html_in_header_comment, "webpagina"),
    "an embedded HTML file": (pdf_with_attachment, "bijlage"),
    "a BOM before %PDF-": (lambda: b"\xef\xbb\xbf" + plain_pdf(), "begin"),
}


# ---- .skops archives: bombs and malformed internals ------------------------------------------

def skops_with_schema(schema, extra: dict[str, bytes] | None = None) -> bytes:
    """A ZIP shaped like a .skops file whose schema.json is ``schema`` (any JSON value)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("schema.json", schema if isinstance(schema, (bytes, str)) else json.dumps(schema))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


MALFORMED_SKOPS = {
    "an empty object as schema": lambda: skops_with_schema({}),
    "an empty list as schema": lambda: skops_with_schema([]),
    "a node without __class__": lambda: skops_with_schema(
        {"__module__": "sklearn.linear_model._base", "__loader__": "ObjectNode", "content": {}, "protocol": 2}),
    "a node whose type is a number": lambda: skops_with_schema(
        {"__class__": 7, "__module__": "sklearn", "__loader__": "ObjectNode", "content": {}, "protocol": 2}),
    "a schema nested 100,000 deep": lambda: skops_with_schema(b"[" * 100_000 + b"]" * 100_000),
    "a schema that is no JSON": lambda: skops_with_schema(b"\xff\xfe not json"),
    "no schema at all": lambda: skops_with_schema(b"{}", extra={"0.npy": b"\x93NUMPY"})[:0] + _zip_without_schema(),
}


def _zip_without_schema() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("0.npy", b"\x93NUMPY")
    return buffer.getvalue()


def skops_zip_bomb(unpacked_mib: int = 200) -> bytes:
    """About 200 KB that states (and would inflate to) ``unpacked_mib`` MiB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("schema.json", json.dumps({"__class__": "LinearRegression",
                                               "__module__": "sklearn.linear_model._base",
                                               "__loader__": "ObjectNode", "content": {}, "protocol": 2}))
        with zf.open("0.npy", "w", force_zip64=True) as entry:
            chunk = bytes(1 << 20)
            for _ in range(unpacked_mib):
                entry.write(chunk)
    return buffer.getvalue()


def skops_many_entries(count: int = 60_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("schema.json", "{}")
        for i in range(count):
            zf.writestr(f"{i}.npy", b"")
    return buffer.getvalue()


# ---- odd requests ---------------------------------------------------------------------------

def odd_query_urls(code: str) -> list[str]:
    """Every numeric query parameter with digits ``int()`` cannot read or values beyond range."""
    urls = []
    for digit in UNICODE_DIGITS:
        urls += [f"/algorithms?page={digit}", f"/algorithms.json?page={digit}", f"/sensors/list?page={digit}",
                 f"/sensors/list.json?page={digit}", f"/sensors.geojson?bbox=4.8,52.3,4.9,52.4&zoom={digit}",
                 f"/sensors.csv?sensor={digit}", f"/sensors.geojson?sensor=1,{digit}",
                 f"/sta/v1.1/Things?$top={digit}", f"/sta/v1.1/Things?$skip={digit}"]
    urls += [f"/algorithms?page={BEYOND_INTEGER}", f"/sensors/list?page={BEYOND_INTEGER}",
             f"/sensors.csv?sensor={BEYOND_INTEGER}", f"/sensors.geojson?sensor={BEYOND_INTEGER}",
             f"/sta/v1.1/Things?$skip={BEYOND_INTEGER}", f"/sta/v1.1/Things?$top={BEYOND_INTEGER}",
             "/algorithms?page=-1", "/algorithms?page=1e3", "/sta/v1.1/Things?$skip=-5"]
    return urls


def missing_ids(code: str) -> list[str]:
    """Ids no database holds, in every place an id is read: all answer 404."""
    return [f"/sensors/{BEYOND_INTEGER}", f"/sensors/{BEYOND_INTEGER}.json", f"/sensors/{BEYOND_INTEGER}/contact",
            "/sensors/²", "/sensors/٣.json", f"/sta/v1.1/Things({BEYOND_INTEGER})",
            f"/sta/v1.1/Datastreams({BEYOND_INTEGER})/Sensor", "/sta/v1.1/Things(²)",
            f"/sta/v1.1/Locations({BEYOND_INTEGER})/Things"]


NUL_URLS = ["/algorithms/A%00B", "/algorithms?q=parkeren%00", "/sensors/1%00", "/sensors/list?sort=%00",
            "/sta/v1.1/Things?$filter=name%20eq%20'a%00'", "/d/abc%00def", "/documents/%00", "/sensors.csv?theme=%00"]


def yaml_alias_bomb(levels: int = 9) -> bytes:
    """A few hundred bytes of YAML whose aliases expand to 9**levels values ("billion laughs")."""
    lines = ['l0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()
