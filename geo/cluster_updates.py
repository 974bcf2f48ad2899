"""Changing a ``SensorIndex`` without rebuilding it (issue 14): changed and new sensors are laid
into a copy of the index's arrays (copy-on-write, so a request reading the old index is never
disturbed), and the expiry flags are recomputed when the date changes.  At 100,000 sensors this
costs milliseconds instead of the seconds of a rebuild."""
from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .cluster import SensorIndex
from .validate import is_expired

#: The per-sensor arrays of a SensorIndex.
ARRAYS = ("ids", "lon", "lat", "minx", "miny", "maxx", "maxy", "mx", "my", "sensor_type", "owner_kind",
          "status", "theme_bits", "personal", "mobile", "expired")


def positions(index: SensorIndex) -> dict[Any, int]:
    """id → row, kept on the index once computed."""
    found = getattr(index, "_positions", None)
    if found is None or len(found) != len(index):
        found = {ident: row for row, ident in enumerate(index.ids.tolist())}
        index._positions = found
    return found


def apply_changes(index: SensorIndex, changed: Sequence[Mapping[str, Any]], *,
                  today: dt.date | None = None) -> SensorIndex:
    """A new index equal to ``index`` with ``changed`` sensors replaced (same id) or added."""
    if not changed:
        return index
    part = SensorIndex(list(changed), today=today)
    where = positions(index)
    replace = [(i, where[s.get("id")]) for i, s in enumerate(changed) if s.get("id") in where]
    seen: set[Any] = set()
    add = []
    for i, s in enumerate(changed):
        if s.get("id") not in where and s.get("id") not in seen:
            seen.add(s.get("id"))
            add.append(i)
    out = copy.copy(index)
    for name in ARRAYS:
        array = getattr(index, name).copy()
        source = getattr(part, name)
        if replace:
            array[np.array([j for _, j in replace])] = source[np.array([i for i, _ in replace])]
        if add:
            array = np.concatenate([array, source[np.array(add)]])
        setattr(out, name, array)
    sensors = list(index.sensors)
    for i, j in replace:
        sensors[j] = changed[i]
    sensors.extend(changed[i] for i in add)
    out.sensors = sensors
    new_positions = dict(where)
    new_positions.update({changed[i].get("id"): len(index) + k for k, i in enumerate(add)})
    out._positions = new_positions
    return out


def with_date(index: SensorIndex, today: dt.date) -> SensorIndex:
    """The index with its expiry flags as of ``today`` (end dates pass at midnight)."""
    out = copy.copy(index)
    out.expired = np.fromiter((is_expired(s, today) for s in index.sensors), bool, len(index))
    return out
