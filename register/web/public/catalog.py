"""The DCAT catalogue of the register's open data and the algorithm export it points to (issue #17)."""
from __future__ import annotations

from flask import Response, current_app

from register.db import get_session
from register.services import catalog, interchange
from register.web.public import bp

ONE_HOUR = "public, max-age=3600"


def _catalog(fmt: str, mimetype: str) -> Response:
    session = get_session()
    graph = catalog.build(session, base_url=current_app.config["BASE_URL"],
                          publisher=catalog.publisher_name(session, current_app.config.get("CATALOG_PUBLISHER", "")))
    return Response(catalog.serialise(graph, fmt), mimetype=mimetype, headers={"Cache-Control": ONE_HOUR})


@bp.get("/catalog.ttl")
def catalog_turtle():
    """The DCAT-AP catalogue of the register's open data, in Turtle."""
    return _catalog("turtle", "text/turtle")


@bp.get("/catalog.jsonld")
def catalog_jsonld():
    """The same catalogue in JSON-LD."""
    return _catalog("json-ld", "application/ld+json")


@bp.get("/open-data/algorithms.json")
def algorithms_open_data():
    """Every published entry in the publication standard's JSON (with the register's own fields)."""
    return Response(interchange.export_json(get_session()), mimetype="application/json",
                    headers={"Cache-Control": ONE_HOUR})


@bp.get("/open-data/algorithms.csv")
def algorithms_open_data_csv():
    """The same entries as CSV, one row per entry."""
    return Response(interchange.export_csv(get_session()), mimetype="text/csv",
                    headers={"Cache-Control": ONE_HOUR, "Content-Disposition": 'attachment; filename="algorithms.csv"'})
