"""Addresses and postcodes through PDOK's Locatieserver (v3.1), with the shipped district and
neighbourhood names as the fallback when no server is configured or it does not answer.

The Locatieserver answers ``/free``, ``/suggest``, ``/lookup`` and ``/reverse`` with
``{"response": {"numFound": n, "docs": [{"type", "weergavenaam", "centroide_ll": "POINT(lon lat)",
"id", …}]}}``.  Only the place a person typed is sent, never who typed it; nothing is logged.
"""
from __future__ import annotations

import json
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from typing import Any

from .places import Places

PDOK_LOCATIESERVER = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
_POINT = re.compile(r"POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)", re.IGNORECASE)
_TYPES = "type:(adres OR postcode OR weg OR woonplaats OR buurt OR wijk)"


class GeocoderUnavailable(RuntimeError):
    """The configured Locatieserver did not answer in time or answered something unreadable."""


def point_of(wkt: str | None) -> tuple[float, float] | None:
    """(lon, lat) from the Locatieserver's ``centroide_ll`` "POINT(4.89 52.37)"."""
    match = _POINT.search(wkt or "")
    return (float(match.group(1)), float(match.group(2))) if match else None


class Locatieserver:
    """A small client for PDOK's Locatieserver at ``base_url`` (``…/search/v3_1``).

    Answers are kept in a small LRU cache.  One TLS context serves every request (making one
    loads the system's certificates: about 40 ms of CPU).  After a failure the server is not
    asked again for ``retry_after`` seconds: pages answer at once from the offline names instead
    of each paying a timeout (a sensor list asks for up to a page of addresses).
    """

    def __init__(self, base_url: str = PDOK_LOCATIESERVER, *, timeout: float = 3.0, cache_size: int = 2048,
                 retry_after: float = 30.0, clock=time.monotonic):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry_after = retry_after
        self._clock = clock
        self._down_until = float("-inf")
        self._tls: ssl.SSLContext | None = None
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.requests_sent = 0  # how often the server was asked (for the operator's checks and tests)

    def _context(self) -> ssl.SSLContext | None:
        if not self.base_url.startswith("https:"):
            return None
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _get(self, endpoint: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        key = (endpoint, tuple(sorted(params.items())))
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            if self._clock() < self._down_until:
                raise GeocoderUnavailable("the Locatieserver did not answer a moment ago")
            self.requests_sent += 1
        url = f"{self.base_url}/{endpoint}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout, context=self._context()) as response:
                docs = json.loads(response.read().decode("utf-8"))["response"]["docs"]
        except (OSError, urllib.error.URLError, ValueError, KeyError, TypeError) as error:
            with self._lock:
                self._down_until = self._clock() + self.retry_after
            raise GeocoderUnavailable(str(error)) from None
        with self._lock:
            self._cache[key] = docs
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return docs

    @staticmethod
    def _place(doc: dict[str, Any]) -> dict[str, Any] | None:
        point = point_of(doc.get("centroide_ll"))
        if point is None:
            return None
        out = {"name": doc.get("weergavenaam") or "", "type": doc.get("type") or "", "lon": point[0],
               "lat": point[1]}
        if doc.get("afstand") is not None:
            out["distance_m"] = round(float(doc["afstand"]))
        return out

    def search(self, text: str, *, near: tuple[float, float] | None = None, rows: int = 8) -> list[dict]:
        """Addresses, postcodes, streets and neighbourhoods matching ``text`` (``/free``)."""
        params: dict[str, Any] = {"q": text, "rows": rows, "fq": _TYPES,
                                  "fl": "id,type,weergavenaam,centroide_ll"}
        if near is not None:
            params["lon"], params["lat"] = near
        return [p for p in (self._place(d) for d in self._get("free", params)) if p]

    def nearest_address(self, lon: float, lat: float) -> dict[str, Any] | None:
        """The address nearest to a point (``/reverse``), with its distance in metres."""
        docs = self._get("reverse", {"lon": round(lon, 6), "lat": round(lat, 6), "type": "adres", "rows": 1,
                                     "fl": "id,type,weergavenaam,centroide_ll,afstand"})
        return self._place(docs[0]) if docs else None


class Geocoder:
    """Search by the Locatieserver when configured, always completed by the offline names."""

    def __init__(self, server: Locatieserver | None, places: Places | None = None):
        self.server = server
        self.places = places or Places.default()

    def search(self, text: str, *, near: tuple[float, float] | None = None) -> dict[str, Any]:
        """``{"results": [...], "source": "pdok"|"offline", "online": bool}``."""
        text = str(text or "").strip()[:120]
        offline = self.places.search(text)
        if self.server is None or len(text) < 2:
            return {"results": offline, "source": "offline", "online": False}
        try:
            found = self.server.search(text, near=near)
        except GeocoderUnavailable:
            return {"results": offline, "source": "offline", "online": False}
        return {"results": found + [p for p in offline if p["name"] not in {f["name"] for f in found}][:3],
                "source": "pdok", "online": True}

    def nearest_address(self, lon: float, lat: float) -> dict[str, Any] | None:
        if self.server is None:
            return None
        try:
            return self.server.nearest_address(lon, lat)
        except GeocoderUnavailable:
            return None
