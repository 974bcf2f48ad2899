"""SensorThings query options beyond filtering and paging: ``$select``, ``$orderby`` and
``$resultFormat=GeoJSON``, on the entity shapes of ``geo.sta``.

``parse_orderby`` returns (path, descending) pairs; the caller maps paths onto its storage.
``select`` keeps only the asked properties of an entity (and its navigation links when asked).
``geojson`` turns a collection response into a FeatureCollection whose geometry is the entity's
location (Locations), its Thing's location (Things, expanded) or its observed area (Datastreams).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .sta import FilterError

_PATH = re.compile(r"^(@iot\.id|id|[A-Za-z][\w]*(?:/[A-Za-z_][\w]*)*)$")


def parse_orderby(text: str | None) -> list[tuple[str, bool]]:
    """``name desc, @iot.id`` → [("name", True), ("@iot.id", False)]; FilterError otherwise."""
    out: list[tuple[str, bool]] = []
    if not text or not text.strip():
        return out
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or not _PATH.match(words[0]):
            raise FilterError(f"$orderby: cannot read {part.strip()!r}; write e.g. 'name desc, @iot.id'")
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise FilterError(f"$orderby: direction is asc or desc, not {words[1]!r}")
        out.append((words[0], direction == "desc"))
    return out


def parse_select(text: str | None) -> list[str] | None:
    """``name,description`` → ["name", "description"]; None when all properties are wanted."""
    if not text or not text.strip():
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if not _PATH.match(name):
            raise FilterError(f"$select: cannot read {name!r}; write e.g. 'name,description'")
    return names


def select(entity: Mapping[str, Any], names: list[str] | None) -> dict[str, Any]:
    """The entity with only the selected properties (``id`` means ``@iot.id``)."""
    if names is None:
        return dict(entity)
    out: dict[str, Any] = {}
    for name in names:
        key = "@iot.id" if name == "id" else name
        head = key.split("/")[0]
        if head in entity:
            out[head] = entity[head]
        elif f"{head}@iot.navigationLink" in entity:
            out[f"{head}@iot.navigationLink"] = entity[f"{head}@iot.navigationLink"]
    return out


def _geometry(entity: Mapping[str, Any]) -> Any:
    if isinstance(entity.get("location"), Mapping):
        return entity["location"]
    if isinstance(entity.get("observedArea"), Mapping):
        return entity["observedArea"]
    locations = entity.get("Locations")
    if isinstance(locations, list) and locations and isinstance(locations[0], Mapping):
        return locations[0].get("location")
    return None


def geojson(body: Mapping[str, Any], geometries: list[Any] | None = None) -> dict[str, Any]:
    """A collection response as a GeoJSON FeatureCollection (``$resultFormat=GeoJSON``);
    ``geometries`` (one per entity) when the entities do not carry their own, as Things."""
    features = []
    for i, entity in enumerate(body.get("value", [])):
        props = {k: v for k, v in entity.items() if k not in ("location", "observedArea")}
        geometry = _geometry(entity) or (geometries[i] if geometries and i < len(geometries) else None)
        features.append({"type": "Feature", "id": entity.get("@iot.id"), "geometry": geometry,
                         "properties": props})
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    for key in ("@iot.count", "@iot.nextLink"):
        if key in body:
            out[key] = body[key]
    return out
