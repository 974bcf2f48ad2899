"""Coordinates as people type them: WGS84 or Dutch RD New, with decimal commas and spaces.

``parse_number`` reads "52,373", " 4.893 ", "121 400" or "121.400,5".  ``to_wgs84`` detects from
the values whether a pair is WGS84 (longitude/latitude, in either order) or RD New
(EPSG:28992, x/y in metres, in either order) and returns (lon, lat).

pyproj transformers are not safe to share between threads, so each thread gets its own, cached.
"""

from __future__ import annotations

import math
import re
import threading

from pyproj import Transformer

WGS84 = "EPSG:4326"
RD_NEW = "EPSG:28992"
WEB_MERCATOR = "EPSG:3857"

# Ranges that decide which system a pair of numbers is in.  RD New's x and y ranges do not
# overlap, nor do the Netherlands' longitudes and latitudes, which lets us accept either order.
RD_X = (7_000.0, 300_000.0)
RD_Y = (289_000.0, 629_000.0)
NL_LON = (3.0, 7.5)
NL_LAT = (50.5, 54.0)

_local = threading.local()


class CoordinateError(ValueError):
    """A coordinate that cannot be read or placed; ``code`` names the message to show."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def transformer(source: str, target: str) -> Transformer:
    """An always_xy transformer for this thread, created once per (source, target)."""
    cache = getattr(_local, "transformers", None)
    if cache is None:
        cache = _local.transformers = {}
    key = (source, target)
    if key not in cache:
        cache[key] = Transformer.from_crs(source, target, always_xy=True)
    return cache[key]


_SPACES = re.compile(r"[\s\u00a0\u202f']+")


def parse_number(value: object, *, dot_groups: bool = False) -> float | None:
    """A float from a number or from text with decimal commas, spaces, ° signs; None if empty.

    With ``dot_groups`` a lone '.' followed by three digits is read as a thousands separator
    ("121.400" is 121400), as in RD coordinates typed the Dutch way.  Raises
    ``CoordinateError('not_a_number')`` for text that is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CoordinateError("not_a_number", value=value)
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = _SPACES.sub("", str(value)).replace("°", "").replace("\u2212", "-")
    if not text:
        return None
    if dot_groups and re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d*)?", text):
        text = text.replace(".", "")
    if "," in text and "." in text:
        # The later separator is the decimal one: "121.400,5" or "121,400.5".
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1:
        text = text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")  # "121.400.000"-style thousands separators
    try:
        number = float(text)
    except ValueError:
        raise CoordinateError("not_a_number", value=value) from None
    if not math.isfinite(number):
        raise CoordinateError("not_a_number", value=value)
    return number


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def detect_crs(a: float, b: float) -> tuple[str, bool]:
    """Which system the pair (a, b) is in, and whether it is in (x, y) order.

    Returns (WGS84 or RD_NEW, True if ``a`` is the x/longitude).  Raises CoordinateError
    ('unknown_crs') when the pair is neither Dutch WGS84 nor RD New.
    """
    if _within(a, NL_LON) and _within(b, NL_LAT):
        return WGS84, True
    if _within(a, NL_LAT) and _within(b, NL_LON):
        return WGS84, False
    if _within(a, RD_X) and _within(b, RD_Y):
        return RD_NEW, True
    if _within(a, RD_Y) and _within(b, RD_X):
        return RD_NEW, False
    raise CoordinateError("unknown_crs", a=a, b=b)


def to_wgs84(x: object, y: object, crs: str | None = None) -> tuple[float, float]:
    """(lon, lat) in WGS84 from a pair given as x/lon and y/lat, in WGS84 or RD New.

    With ``crs=None`` the system and the order are detected from the values, so swapped
    latitude/longitude columns and RD coordinates typed into them are read correctly.  With an
    explicit ``crs`` the pair is taken as (x, y) in that system.
    """
    a, b = parse_number(x), parse_number(y)
    if a is None or b is None:
        raise CoordinateError("missing")
    if crs is None:
        try:
            crs, xy_order = detect_crs(a, b)
        except CoordinateError:
            # Perhaps RD typed with dots between thousands: "121.400" / "487.400".
            a, b = parse_number(x, dot_groups=True), parse_number(y, dot_groups=True)
            crs, xy_order = detect_crs(a, b)  # type: ignore[arg-type]
        if not xy_order:
            a, b = b, a
    if crs in (WGS84, "EPSG:4326", "4326", "OGC:CRS84"):
        if not (-180 <= a <= 180 and -90 <= b <= 90):
            raise CoordinateError("unknown_crs", a=a, b=b)
        return a, b
    lon, lat = transformer(crs, WGS84).transform(a, b)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise CoordinateError("unknown_crs", a=a, b=b)
    return lon, lat


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """(lon, lat) for an RD New (x, y)."""
    return transformer(RD_NEW, WGS84).transform(x, y)


def wgs84_to_rd(lon: float, lat: float) -> tuple[float, float]:
    """RD New (x, y) for a WGS84 (lon, lat)."""
    return transformer(WGS84, RD_NEW).transform(lon, lat)


def lonlat_to_mercator(lon, lat):
    """Web Mercator metres for (arrays of) lon/lat, computed with numpy (no pyproj needed)."""
    import numpy as np

    lon = np.asarray(lon, dtype="float64")
    lat = np.clip(np.asarray(lat, dtype="float64"), -85.05112878, 85.05112878)
    r = 6378137.0
    x = np.radians(lon) * r
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * r
    return x, y
