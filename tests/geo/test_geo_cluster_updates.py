"""The map's index changes in place of a rebuild: the result equals a fresh index."""
from __future__ import annotations

import datetime as dt

import numpy as np

from geo import SensorIndex, generate_sensors
from geo.cluster_updates import ARRAYS, apply_changes, with_date

TODAY = dt.date(2026, 6, 1)


def _same(a: SensorIndex, b: SensorIndex) -> bool:
    order_a, order_b = np.argsort(a.ids.astype(int)), np.argsort(b.ids.astype(int))
    return all(np.array_equal(getattr(a, n)[order_a], getattr(b, n)[order_b]) for n in ARRAYS)


def test_changed_and_new_sensors_give_the_index_a_rebuild_would():
    sensors = generate_sensors(500, seed=7, as_of=TODAY)
    index = SensorIndex(sensors[:450], today=TODAY)
    moved = dict(sensors[10], lon=4.95, lat=52.36, bbox=(4.95, 52.36, 4.95, 52.36), sensor_type="sound")
    ended = dict(sensors[20], end_date=TODAY - dt.timedelta(days=1))
    changed = [moved, ended, *sensors[450:]]
    updated = apply_changes(index, changed, today=TODAY)
    expected = SensorIndex([moved if s["id"] == moved["id"] else ended if s["id"] == ended["id"] else s
                            for s in sensors], today=TODAY)
    assert len(updated) == 500 and _same(updated, expected)
    assert len(index) == 450 and index.sensors[10] is sensors[10]  # the old index is left as it was
    assert index.lon[10] == sensors[10]["lon"] != updated.lon[10]
    view = updated.query((4.949, 52.359, 4.951, 52.361), 18, mask=updated.filter_mask(sensor_type="sound"))
    assert moved["id"] in updated.ids[view.sensor_rows].tolist()


def test_a_new_day_recomputes_which_sensors_have_expired():
    sensors = generate_sensors(200, seed=3, as_of=TODAY)
    index = SensorIndex(sensors, today=TODAY)
    later = TODAY + dt.timedelta(days=400)
    assert _same(with_date(index, later), SensorIndex(sensors, today=later))
