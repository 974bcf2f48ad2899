"""A seeded generator of plausible, entirely fictional Amsterdam sensors.

For the demo (a few thousand) and the benchmark (100,000).  Records have the shape that
``validate_sensor`` returns, ids from 1, and pass validation.  Same seed and ``as_of`` date,
same sensors.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from .boundary import Boundary, Districts
from .validate import SENSOR_FIELDS

# (lon, lat, spread in degrees, weight): where sensors cluster in the city.
_HOTSPOTS = [
    (4.893, 52.373, 0.010, 0.30),  # Centrum
    (4.870, 52.358, 0.012, 0.12),  # Oud-West / Zuid
    (4.905, 52.355, 0.012, 0.10),  # De Pijp
    (4.873, 52.338, 0.008, 0.07),  # Zuidas
    (4.930, 52.360, 0.015, 0.10),  # Oost
    (4.915, 52.395, 0.020, 0.08),  # Noord
    (4.830, 52.365, 0.020, 0.09),  # Nieuw-West
    (4.950, 52.315, 0.015, 0.08),  # Zuidoost
    (4.800, 52.405, 0.030, 0.03),  # Westpoort
    (5.045, 52.310, 0.008, 0.03),  # Weesp
]

# kind: (share, sensor_type, themes, owners, measures, purpose, personal_data)
_KINDS = {
    "city_camera": (0.08, "camera", ["safety-surveillance-camera"], "municipality",
                    "Beelden van de openbare ruimte",
                    "Toezicht op de openbare orde in drukke straten", True),
    "air_quality": (0.10, "chemical", ["environment-water-soil-air", "safety-health"], "research",
                    "Fijnstof (PM2,5 en PM10) en stikstofdioxide",
                    "Luchtkwaliteit in de buurt meten", False),
    "sound": (0.08, "sound", ["environment-noise"], "municipality",
              "Geluidsniveau in decibel", "Geluidsoverlast van verkeer en horeca meten", False),
    "crowd_counter": (0.10, "presence", ["mobility-pedestrian"], "municipality",
                      "Aantal voetgangers dat passeert",
                      "Drukte meten om mensenmassa's veilig te houden", True),
    "parking": (0.34, "presence", ["mobility-car"], "company",
                "Of een parkeerplaats bezet is", "Vrije parkeerplaatsen tonen", False),
    "shop_camera": (0.22, "camera", ["safety-surveillance-camera", "economy-services"], "company",
                    "Beelden van de winkelingang en de stoep",
                    "Beveiliging tegen diefstal en inbraak", True),
    "climate": (0.05, "climate", ["environment-climate-change"], "citizen-initiative",
                "Temperatuur en luchtvochtigheid", "Hittestress in de wijk in kaart brengen",
                False),
    "water_flow": (0.03, "flow", ["environment-water-soil-air"], "other-government",
                   "Waterstand en stroomsnelheid in de gracht", "Waterbeheer", False),
}

_OWNERS = {
    "municipality": [("Gemeente Amsterdam", "sensoren@amsterdam.example")],
    "research": [("Instituut voor Stedelijke Metingen", "meten@ism.example"),
                 ("Universiteit Amstelland", "luchtlab@ua.example")],
    "company": [("ParkeerSlim B.V.", "info@parkeerslim.example"),
                ("Winkelcentrum Beheer Noord", None), ("Bakkerij De Korenschoof", None),
                ("Juwelier Van Dam", None), ("Supermarkt De Buurt", "klantenservice@debuurt.example")],
    "citizen-initiative": [("Buurt Meet Mee", None)],
    "other-government": [("Waterschap Amstel, Gooi en Vecht", "info@waterschap.example")],
}

_FIRST = ["Anouk", "Mohamed", "Sanne", "Daan", "Fatima", "Lars", "Noor", "Jeroen", "Yara", "Bram"]
_LAST = ["de Vries", "El Amrani", "Jansen", "Bakker", "Yilmaz", "Visser", "Smit", "Mulder"]
_FREEMAIL = ["gmail.com", "hotmail.com", "outlook.com", "ziggo.nl"]


def _points(rng: np.random.Generator, n: int, boundary: Boundary) -> np.ndarray:
    weights = np.array([h[3] for h in _HOTSPOTS])
    out: list[np.ndarray] = []
    have = 0
    while have < n:
        k = int((n - have) * 1.6) + 16
        pick = rng.choice(len(_HOTSPOTS), size=k, p=weights / weights.sum())
        centre = np.array([[h[0], h[1]] for h in _HOTSPOTS])[pick]
        spread = np.array([h[2] for h in _HOTSPOTS])[pick]
        pts = centre + rng.normal(size=(k, 2)) * spread[:, None] * [1.6, 1.0]
        pts = pts[boundary.contains_many(pts[:, 0], pts[:, 1])]
        out.append(pts)
        have += len(pts)
    return np.concatenate(out)[:n].round(6)


def _fov(rng: np.random.Generator, lon: float, lat: float) -> dict:
    """A wedge of 40–60 m and 50–80 degrees in front of the camera."""
    heading, width = rng.uniform(0, 2 * math.pi), math.radians(rng.uniform(50, 80))
    reach = rng.uniform(25, 60)
    ring = [[lon, lat]]
    for a in np.linspace(heading - width / 2, heading + width / 2, 5):
        ring.append([round(lon + reach * math.sin(a) / (111_320 * math.cos(math.radians(lat))), 7),
                     round(lat + reach * math.cos(a) / 110_540, 7)])
    ring.append([lon, lat])
    return {"type": "Polygon", "coordinates": [ring]}


def generate_sensors(n: int = 3000, *, seed: int = 2024, as_of: dt.date | None = None,
                     boundary: Boundary | None = None, mobile: int | None = None,
                     with_contacts: bool = True) -> list[dict]:
    """``n`` fictional sensors across Amsterdam, including ``mobile`` scan cars and boats
    (default: 0.2% of n, between 3 and 25) registered by district, and camera fields of view."""
    rng = np.random.default_rng(seed)
    boundary = boundary or Boundary.default()
    districts = Districts.default()
    as_of = as_of or dt.date.today()
    n_mobile = min(n, min(25, max(3, n // 500)) if mobile is None else mobile)
    points = _points(rng, n, boundary)
    names = list(_KINDS)
    shares = np.array([_KINDS[k][0] for k in names])
    kinds = rng.choice(len(names), size=n, p=shares / shares.sum())
    placed_offsets = rng.integers(-1400, 60, size=n)
    # Ends relative to today: about 3% of sensors are past their end date, as in real registers.
    lifetimes = np.maximum(rng.integers(-40, 1800, size=n) - placed_offsets, 30)
    sensors = []
    for i in range(n):
        kind = names[kinds[i]] if i >= n_mobile else "scan_car"
        sensors.append(_record(rng, i + 1, kind, points[i], placed_offsets[i], lifetimes[i],
                               as_of, districts, with_contacts))
    return sensors


def _record(rng, ident, kind, point, placed_offset, lifetime, as_of, districts, with_contacts):
    rec = dict.fromkeys(SENSOR_FIELDS)
    lon, lat = float(point[0]), float(point[1])
    if kind == "scan_car":
        stype, themes, owner_kind = "camera", ["mobility-car"], "municipality"
        measures, purpose, personal = "Kentekens van geparkeerde auto's", \
            "Controle op betaald parkeren", True
    else:
        _, stype, themes, owner_kind, measures, purpose, personal = _KINDS[kind]
    owner, org_mail = _OWNERS[owner_kind][int(rng.integers(len(_OWNERS[owner_kind])))]
    placed = as_of + dt.timedelta(days=int(placed_offset))
    rec.update(id=ident, reference=f"{kind.upper().replace('_', '-')}-{ident:06d}",
               owner_name=owner, owner_kind=owner_kind, sensor_type=stype, themes=list(themes),
               measures=measures, purpose=purpose, personal_data=personal, mobile=False,
               open_data=kind in ("air_quality", "sound", "climate"), area_names=[],
               placed_on=placed, end_date=placed + dt.timedelta(days=int(lifetime)),
               last_confirmed=min(as_of, placed + dt.timedelta(days=int(rng.integers(0, 500)))),
               status="planned" if placed > as_of else "active",
               contact_is_organisational=bool(org_mail))
    if with_contacts:
        first, last = _FIRST[int(rng.integers(len(_FIRST)))], _LAST[int(rng.integers(len(_LAST)))]
        person = f"{first.lower()}.{last.replace(' ', '').lower()}"
        rec.update(contact_name=f"{first} {last}", contact_phone=f"06-{ident % 10**8:08d}",
                   contact_email=org_mail or f"{person}@{_FREEMAIL[ident % len(_FREEMAIL)]}")
    if rec["open_data"]:
        rec["open_data_url"] = f"https://data.example/sensoren/{rec['reference']}"
    if personal:
        rec.update(legal_ground="public-task" if owner_kind == "municipality" else
                   "legitimate-interest", privacy_statement_url="https://privacy.example/"
                   + owner.lower().replace(" ", "-").replace(".", ""),
                   retention_days=28 if stype == "camera" else 1,
                   processed_on_device=kind == "crowd_counter", anonymised=kind == "crowd_counter",
                   aggregated=kind == "crowd_counter")
    if kind == "scan_car":
        pick = rng.choice(len(districts.names), size=int(rng.integers(1, 4)), replace=False)
        chosen = [districts.names[int(j)] for j in sorted(pick)]
        import shapely

        from .geometry import parse_areas, rounded, to_geojson
        area, _ = parse_areas(";".join(chosen), districts)
        area = rounded(area)
        rep = shapely.point_on_surface(area)
        rec.update(mobile=True, area_names=chosen, geometry=to_geojson(area),
                   lon=round(rep.x, 7), lat=round(rep.y, 7),
                   bbox=[round(c, 7) for c in area.bounds],
                   location_description="Scanauto rijdt door de gekozen stadsdelen")
    else:
        rec.update(geometry={"type": "Point", "coordinates": [lon, lat]}, lon=lon, lat=lat,
                   bbox=[lon, lat, lon, lat])
        if stype == "camera" and kind in ("city_camera", "shop_camera"):
            rec["field_of_view"] = _fov(rng, lon, lat)
    return rec
