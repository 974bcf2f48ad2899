"""The folium map page for ``/sensors``, and the naive variant for comparison.

``build_map_page`` embeds no sensors: the browser asks ``data_url`` for what is in view
(``?bbox=w,s,e,n&zoom=z`` plus the filter form's fields) and gets clusters or sensors back.
Tiles are optional: without a tile URL the page needs no internet and still shows the sensors.
Leaflet itself is loaded from ``leaflet_js``/``leaflet_css`` (serve them from the app's static
folder in production).  CSP: there are no inline event handlers; every inline <script> and
<style> gets ``nonce`` when one is given.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from .features import feature_collection, sensor_feature
from .vocab import OWNER_KINDS, SENSOR_TYPES, THEMES

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css"
AMSTERDAM = (52.3676, 4.9041)

#: Marker colours per sensor type, chosen to stay distinguishable with colour-vision deficiency.
COLOURS = {"camera": "#d62728", "sound": "#9467bd", "chemical": "#2ca02c", "climate": "#17becf",
           "presence": "#1f77b4", "temperature": "#ff7f0e", "flow": "#8c564b", "other": "#7f7f7f"}

TEXT = {
    "nl": {"sensor": "Sensor", "sensors": "sensoren", "personal": "Verwerkt persoonsgegevens",
           "expired": "Einddatum verstreken", "loading": "Sensoren laden…",
           "inView": "{n} sensoren in beeld", "failed": "De sensoren konden niet worden geladen.",
           "legend": "Legenda", "filters": "Filters", "type": "Soort sensor", "theme": "Thema",
           "owner": "Eigenaar", "personal_data": "Persoonsgegevens", "yes": "Ja", "no": "Nee",
           "mobile": "Vast of mobiel", "fixed": "Vast", "mobile_yes": "Mobiel",
           "map": "Kaart met sensoren", "area": "Gebied van een mobiele sensor",
           "fov": "Gezichtsveld van een camera", "cluster": "Groep sensoren (aantal)",
           "matchOne": "{n} sensor in het register past bij de filters.",
           "matchMany": "{n} sensoren in het register passen bij de filters.",
           "search": "Zoek een adres, postcode of buurt", "searchButton": "Zoeken",
           "searchHint": "Of plak coördinaten, bijvoorbeeld 52.3731, 4.8926.",
           "noPlace": "Geen plaats gevonden.", "places": "Gevonden plaatsen",
           "inViewList": "Sensoren in beeld", "inViewNone": "Geen losse sensoren in beeld. Zoom in of kies een groep.",
           "inViewMore": "En {n} meer: zoom in om ze te zien.", "zoomTo": "Zoom in op groep van {n} sensoren",
           "showOnMap": "Toon op de kaart", "details": "Gegevens", "thisSensor": "Deze sensor",
           "offlineBase": "Achtergrond: stadsdelen en water (vereenvoudigd)"},
    "en": {"sensor": "Sensor", "sensors": "sensors", "personal": "Processes personal data",
           "expired": "End date passed", "loading": "Loading sensors…",
           "inView": "{n} sensors in view", "failed": "The sensors could not be loaded.",
           "legend": "Legend", "filters": "Filters", "type": "Sensor type", "theme": "Theme",
           "owner": "Owner", "personal_data": "Personal data", "yes": "Yes", "no": "No",
           "mobile": "Fixed or mobile", "fixed": "Fixed", "mobile_yes": "Mobile",
           "map": "Map of sensors", "area": "Area of a mobile sensor",
           "fov": "Field of view of a camera", "cluster": "Group of sensors (count)",
           "matchOne": "{n} sensor in the register matches the filters.",
           "matchMany": "{n} sensors in the register match the filters.",
           "search": "Find an address, postcode or neighbourhood", "searchButton": "Search",
           "searchHint": "Or paste coordinates, for example 52.3731, 4.8926.",
           "noPlace": "No place found.", "places": "Places found",
           "inViewList": "Sensors in view", "inViewNone": "No single sensors in view. Zoom in or choose a group.",
           "inViewMore": "And {n} more: zoom in to see them.", "zoomTo": "Zoom in on group of {n} sensors",
           "showOnMap": "Show on the map", "details": "Details", "thisSensor": "This sensor",
           "offlineBase": "Background: districts and water (simplified)"},
}

_SCRIPT = (Path(__file__).parent / "data" / "sensor-map.js").read_text(encoding="utf-8")


@dataclass
class MapPage:
    """Parts of the page, for putting into the app's own template, or ``document`` whole."""

    head: str       # <link>/<script src> tags and the nonce'd <style>
    body: str       # the map container
    controls: str   # status line (aria-live), legend and filter form; place near the map
    scripts: str    # nonce'd inline <script> blocks; place at the end of <body>
    document: str   # a complete standalone HTML page
    map_id: str
    in_view: str = ""  # the keyboard list of sensors in view; place after the map


class _Hook(MacroElement):
    _template = Template("""{% macro script(this, kwargs) %}
{{ this.code }}
stadsregisterSensorMap({{ this._parent.get_name() }}, {{ this.config }});
{% endmacro %}""")

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__()
        self.code = _SCRIPT
        self.config = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def _map(center, zoom, tiles_url, attribution, leaflet_js, leaflet_css) -> folium.Map:
    fmap = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True,
                      prefer_canvas=True, min_zoom=10, max_zoom=20)
    fmap.default_js = [("leaflet", leaflet_js)]  # no jQuery/Bootstrap/icon fonts from CDNs
    fmap.default_css = [("leaflet_css", leaflet_css)]
    if tiles_url:
        folium.TileLayer(tiles=tiles_url, attr=attribution or "&copy; map tiles",
                         max_zoom=20).add_to(fmap)
    return fmap


def _legend_and_filters(text: Mapping[str, str], locale: str, filters: bool) -> str:
    esc = html.escape
    items = "".join(f'<li><span class="sensor-swatch sensor-swatch-{c}" aria-hidden="true"></span>'
                    f"{esc(SENSOR_TYPES.label(c, locale) if c in SENSOR_TYPES else c)}</li>"
                    for c in COLOURS)
    items += (f'<li><span class="sensor-swatch sensor-swatch-area" aria-hidden="true"></span>'
              f'{esc(text["area"])}</li><li><span class="sensor-swatch sensor-swatch-fov" '
              f'aria-hidden="true"></span>{esc(text["fov"])}</li><li><span class="sensor-cluster '
              f'sensor-cluster-s sensor-swatch-cluster" aria-hidden="true"><span>5</span></span>'
              f'{esc(text["cluster"])}</li>')
    legend = (f'<details id="sensor-map-legend" class="sensor-map-fold"><summary>'
              f'<h2 id="sensor-map-legend-title">{esc(text["legend"])}</h2></summary><ul>{items}</ul></details>')
    if not filters:
        return legend + '<form id="sensor-filters" role="search"></form>'

    def group(name, title, choices):
        boxes = "".join(
            f'<label><input type="checkbox" name="{name}" value="{esc(code)}"> {esc(label)} '
            f'<span data-facet="{name}:{esc(code)}"></span></label>' for code, label in choices)
        return f'<fieldset id="sensor-filter-{name}"><legend>{esc(title)}</legend>{boxes}</fieldset>'

    yes_no = [("true", text["yes"]), ("false", text["no"])]
    # Folded on small screens (sensor-map.js closes it there), so the map stays near the top.
    form = (f'<details id="sensor-map-filters" class="sensor-map-fold" open><summary><h2>{esc(text["filters"])}'
            f'</h2></summary><form id="sensor-filters" role="search" aria-label="{esc(text["filters"])}">'
            + group("sensor_type", text["type"], SENSOR_TYPES.choices(locale))
            + group("theme", text["theme"], THEMES.choices(locale))
            + group("owner_kind", text["owner"], OWNER_KINDS.choices(locale))
            + group("personal_data", text["personal_data"], yes_no)
            + group("mobile", text["mobile"], [("false", text["fixed"]),
                                               ("true", text["mobile_yes"])]) + "</form></details>")
    return form + legend


def _search_and_lists(text: Mapping[str, str], total: int | None, with_search: bool) -> str:
    """The place search (above), the count that follows the filters, and the keyboard list of
    what is in view (below the filters)."""
    esc = html.escape
    search = ""
    if with_search:
        search = ('<form id="sensor-map-search" role="search" class="sensor-map-search">'
                  f'<label for="sensor-map-q">{esc(text["search"])}</label>'
                  '<div class="search-row"><input id="sensor-map-q" type="search" name="q" '
                  'autocomplete="off" aria-describedby="sensor-map-q-hint">'
                  f'<button type="submit">{esc(text["searchButton"])}</button></div>'
                  f'<p id="sensor-map-q-hint" class="hint">{esc(text["searchHint"])}</p>'
                  f'<ul id="sensor-map-places" aria-label="{esc(text["places"])}"></ul></form>')
    count = ""
    if total is not None:
        line = (text["matchOne"] if total == 1 else text["matchMany"]).replace("{n}", str(total))
        count = f'<p id="sensor-map-count" class="muted">{esc(line)}</p>'
    return search + count


def _in_view(text: Mapping[str, str]) -> str:
    esc = html.escape
    return ('<section id="sensor-map-inview" aria-labelledby="sensor-map-inview-title">'
            f'<h2 id="sensor-map-inview-title">{esc(text["inViewList"])}</h2>'
            '<ul id="sensor-map-inview-list"></ul><p id="sensor-map-inview-more" class="muted"></p></section>')


def _css(map_id: str) -> str:
    swatches = "".join(f".sensor-swatch-{c}{{background:{v}}}" for c, v in COLOURS.items())
    return (f"#{map_id}{{height:70vh;min-height:320px;background:#e8eef1}}"
            ".sensor-swatch{display:inline-block;width:1em;height:1em;border-radius:50%;"
            "border:1px solid #222;margin-right:.4em;vertical-align:middle}"
            ".sensor-swatch-area{border-radius:0;border-style:dashed;background:transparent}"
            ".sensor-swatch-fov{border-radius:0;background:rgba(214,39,40,.3)}"
            + swatches +
            ".sensor-cluster{box-sizing:border-box;text-align:center;border-radius:50%;"
            "background:rgba(0,82,155,.85);color:#fff;font:bold 13px sans-serif;"
            "border:2px solid #fff;box-shadow:0 0 0 1px #00529b}"
            + "".join(f".sensor-cluster-{k}{{width:{d}px;height:{d}px;line-height:{d - 4}px;"
                      f"margin:-{d // 2}px 0 0 -{d // 2}px}}"
                      for k, d in (("s", 28), ("m", 36), ("l", 44), ("xl", 54)))
            + ".sensor-swatch-cluster{display:inline-block;margin:0 .4em 0 0;"
            "vertical-align:middle}"
            ".sensor-focus{width:26px;height:26px;margin:-13px 0 0 -13px;border-radius:50%;"
            "border:4px solid #1a1a1a;box-shadow:0 0 0 3px #ffbf47;background:transparent}"
            ".sensor-map-fold>summary{cursor:pointer}.sensor-map-fold>summary h2{display:inline;font-size:1.15rem}"
            "#sensor-map-inview-list,#sensor-map-places{list-style:none;padding:0;margin:0;"
            "max-height:22rem;overflow:auto}#sensor-map-inview-list li,#sensor-map-places li{margin:.2rem 0}"
            "#sensor-map-inview-list button,#sensor-map-places button{text-align:left}")


def _add_nonce(markup: str, nonce: str | None) -> str:
    """Nonce every inline <script> and <style>; make the viewport zoomable (WCAG 1.4.4)."""
    markup = re.sub(r'<meta name="viewport"[^>]*>',
                    '<meta name="viewport" content="width=device-width, initial-scale=1">', markup)
    if not nonce:
        return markup
    attr = f' nonce="{html.escape(nonce)}"'
    markup = re.sub(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)", "<script" + attr, markup)
    return re.sub(r"<style(?![^>]*\bnonce=)", "<style" + attr, markup)


def _page(fmap: folium.Map, controls: str, css: str, nonce: str | None, title: str) -> MapPage:
    figure = fmap.get_root()
    figure.header.add_child(Element(f"<style>{css}</style>"), name="stadsregister_css")
    figure.header.add_child(Element(f"<title>{html.escape(title)}</title>"), name="title")
    document = _add_nonce(figure.render(), nonce)
    # The controls follow the map in the standalone page; folium adds its map div at render
    # time, so they are put in after it rather than added as a child before.
    map_div = re.search(rf'<div class="folium-map" id="{fmap.get_name()}"[^>]*></div>', document)
    if map_div:
        document = document[:map_div.end()] + controls + document[map_div.end():]
    head = _add_nonce(figure.header.render(), nonce)
    body = figure.html.render()
    scripts = _add_nonce(f"<script>{figure.script.render()}</script>", nonce)
    return MapPage(head=head, body=body, controls=controls, scripts=scripts, document=document,
                   map_id=fmap.get_name())


def build_map_page(*, data_url: str = "/sensors.geojson", tiles_url: str | None = None,
                   tiles_attribution: str | None = None, center: tuple[float, float] = AMSTERDAM,
                   zoom: int = 12, locale: str = "nl", nonce: str | None = None,
                   leaflet_js: str = LEAFLET_JS, leaflet_css: str = LEAFLET_CSS,
                   filters: bool = True, base_url: str | None = None, places_url: str | None = None,
                   focus: Mapping[str, Any] | None = None, total: int | None = None,
                   area_url: str | None = None) -> MapPage:
    """The fetch-based map page: no sensors embedded; the browser fetches what is in view.

    ``filters=False`` renders an empty ``<form id="sensor-filters">`` for the app to fill;
    its fields are sent along with every fetch and kept in the URL for deep links.  Without
    ``tiles_url``, ``base_url`` (a GeoJSON of districts and water) is drawn as the background, so
    the map is never blank.  ``places_url`` enables the place search; ``focus`` (a sensor's
    map feature) is marked and its popup opened; ``total`` starts the count that follows the
    filters.  ``area_url`` (with ``{id}``) is where a mobile sensor's area is fetched, once per
    area and zoom level, by the ``area_id`` its feature carries.
    """
    text = TEXT.get(locale, TEXT["nl"])
    fmap = _map(center, zoom, tiles_url, tiles_attribution, leaflet_js, leaflet_css)
    config = {"dataUrl": data_url, "statusId": "sensor-map-status", "formId": "sensor-filters",
              "colours": COLOURS, "text": text, "typeLabels": dict(SENSOR_TYPES.choices(locale)),
              "baseUrl": None if tiles_url else base_url, "placesUrl": places_url, "focus": focus,
              "areaUrl": area_url or data_url.rsplit(".", 1)[0] + "/areas/{id}.geojson"}
    _Hook(config).add_to(fmap)
    extra = (_search_and_lists(text, total, bool(places_url))
             + '<p id="sensor-map-status" role="status" aria-live="polite"></p>'
             + _legend_and_filters(text, locale, filters))
    page = _page(fmap, extra + _in_view(text), _css(fmap.get_name()), nonce, text["map"])
    page.controls, page.in_view = extra, _in_view(text)
    return page


_NONCE_MARK = "stadsregister-nonce-0c5f1e"
_cached_pages: OrderedDict[str, MapPage] = OrderedDict()
_cache_lock = threading.Lock()


def cached_map_page(*, nonce: str | None = None, **options: Any) -> MapPage:
    """``build_map_page(nonce=nonce, **options)``, rendered once per set of options.

    Rendering the folium page costs 10-30 ms, the same for every visitor; only the CSP nonce
    differs per response, so a page is kept (the last 64 sets of options) with a mark where the
    nonce goes and the mark is replaced per request."""
    key = json.dumps(options, sort_keys=True, default=str)
    with _cache_lock:
        page = _cached_pages.get(key)
        if page is not None:
            _cached_pages.move_to_end(key)
    if page is None:
        page = build_map_page(nonce=_NONCE_MARK, **options)
        with _cache_lock:
            _cached_pages[key] = page
            while len(_cached_pages) > 64:
                _cached_pages.popitem(last=False)
    if nonce is None:  # no nonce: the attribute goes, as build_map_page leaves it out
        return _replace_nonce(page, lambda text: text.replace(f' nonce="{_NONCE_MARK}"', ""))
    safe = html.escape(nonce)
    return _replace_nonce(page, lambda text: text.replace(_NONCE_MARK, safe))


def _replace_nonce(page: MapPage, replace) -> MapPage:
    return MapPage(head=replace(page.head), body=page.body, controls=page.controls, scripts=replace(page.scripts),
                   document=replace(page.document), map_id=page.map_id, in_view=page.in_view)


def build_naive_map(sensors: Iterable[Mapping[str, Any]], *, tiles_url: str | None = None,
                    center: tuple[float, float] = AMSTERDAM, zoom: int = 12) -> str:
    """The naive way, for the benchmark only: folium with every sensor embedded in the page."""
    fmap = folium.Map(location=list(center), zoom_start=zoom, tiles=tiles_url or None,
                      attr="tiles" if tiles_url else None, prefer_canvas=True)
    data = feature_collection(sensor_feature(s) for s in sensors)
    folium.GeoJson(data, name="sensors",
                   marker=folium.CircleMarker(radius=5, fill=True),
                   popup=folium.GeoJsonPopup(fields=["reference", "owner_name", "sensor_type"]),
                   ).add_to(fmap)
    return fmap.get_root().render()
