/* Stadsregister sensor map: fetch what is in view, draw clusters, sensors, areas and fields of
 * view; a mobile sensor's area is fetched once by its area_id and kept.  No inline event
 * handlers; all text from the register is set with textContent.
 * The popup is the map's own (not in the sensor layer), so reloading the data after Leaflet pans
 * to fit it does not close it (issue 14).  Every sensor in view is also a button in a list, so
 * keyboard users reach what the canvas draws. */
function stadsregisterSensorMap(map, config) {
  "use strict";
  var layer = L.layerGroup().addTo(map);
  var status = document.getElementById(config.statusId);
  var form = document.getElementById(config.formId);
  var count = document.getElementById("sensor-map-count");
  var list = document.getElementById("sensor-map-inview-list");
  var more = document.getElementById("sensor-map-inview-more");
  var sharedPopup = L.popup({autoPanPadding: [24, 24]});
  var controller = null, timer = null, focusParam = null, generation = 0;
  // Mobile sensors' areas, by area_id: fetched once per area (and again only for more detail
  // when zoomed in further), then drawn from here for every viewport that shows the sensor.
  var areas = {};
  var T = config.text;

  function say(text) { if (status) { status.textContent = text; } }
  function colour(type) { return config.colours[type] || config.colours.other; }
  function el(tag, text) { var e = document.createElement(tag); if (text) { e.textContent = text; } return e; }

  function readHash() {
    var m = /map=(\d+)\/(-?[\d.]+)\/(-?[\d.]+)/.exec(window.location.hash);
    if (m) { map.setView([parseFloat(m[2]), parseFloat(m[3])], parseInt(m[1], 10)); }
  }

  function filterParams() {
    var params = new URLSearchParams();
    if (form) { new FormData(form).forEach(function (v, k) { if (v !== "") { params.append(k, v); } }); }
    return params;
  }

  function writeUrl() {
    var c = map.getCenter();
    var query = filterParams().toString();
    var own = query + (focusParam ? (query ? "&" : "") + "focus=" + focusParam : "");
    var hash = "#map=" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
    window.history.replaceState(null, "", window.location.pathname + (own ? "?" + own : "") + hash);
    // Links to the same selection elsewhere (the table, the open-data files) follow the filters.
    document.querySelectorAll("a[data-keep-filters]").forEach(function (link) {
      link.href = link.pathname + (query ? "?" + query : "");
    });
  }

  function popupContent(p) {
    var box = el("div");
    var link = el("a", p.reference || T.sensor);
    link.href = p.url;
    box.appendChild(link);
    [config.typeLabels[p.sensor_type], p.owner_name, p.personal_data ? T.personal : null,
     p.expired ? T.expired : null].forEach(function (line) { if (line) { box.appendChild(el("div", line)); } });
    return box;
  }

  function openSensor(p, latlng, focusLink) {
    sharedPopup.setLatLng(latlng).setContent(popupContent(p)).openOn(map);
    if (focusLink) {
      var a = sharedPopup.getElement() && sharedPopup.getElement().querySelector("a[href]");
      if (a) { a.focus(); }
    }
  }

  function areaZoom() { return Math.min(map.getZoom(), 18); }

  function drawArea(geometry, col) {
    L.geoJSON(geometry, {interactive: false, style: {color: col, weight: 2, fill: false, dashArray: "6 4"}}).addTo(layer);
  }

  // The area's geometry with at least the detail of zoom ``want``: from memory, or fetched once
  // (the answer is kept by the browser too: its address never changes).
  function area(id, want) {
    var known = areas[id];
    if (known && known.zoom >= want) { return known.geometry; }
    var geometry = fetch(config.areaUrl.replace("{id}", id) + "?zoom=" + want, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { return data.geometry; });
    areas[id] = {zoom: want, geometry: geometry};
    geometry.catch(function () { if (areas[id] && areas[id].geometry === geometry) { delete areas[id]; } });
    return geometry;
  }

  function showArea(id, col, drawn) {
    var key = id + " " + col, mine = generation;
    if (drawn[key]) { return; }  // several sensors of one colour share the area: drawn once
    drawn[key] = true;
    area(id, areaZoom()).then(function (geometry) { if (mine === generation) { drawArea(geometry, col); } })
      .catch(function () { /* the sensor's marker is there; its area is asked for again next time */ });
  }

  function drawSensor(f, drawn) {
    var p = f.properties, c = f.geometry.coordinates, col = colour(p.sensor_type);
    if (p.area_id) { showArea(p.area_id, col, drawn); }
    if (p.field_of_view) { L.geoJSON(p.field_of_view, {interactive: false, style: {color: col, weight: 1, fillOpacity: 0.25}}).addTo(layer); }
    L.circleMarker([c[1], c[0]], {radius: 6, color: "#222", weight: 1, fillColor: col, fillOpacity: 0.9})
      .on("click", function () { openSensor(p, [c[1], c[0]], false); }).addTo(layer);
  }

  function zoomToCluster(p, c) {
    var b = p.bbox;
    if (b[0] === b[2] && b[1] === b[3]) { map.setView([c[1], c[0]], p.expansion_zoom); }
    else { map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {maxZoom: p.expansion_zoom}); }
  }

  function drawCluster(f) {
    var p = f.properties, c = f.geometry.coordinates;
    var size = p.count < 10 ? "s" : p.count < 100 ? "m" : p.count < 1000 ? "l" : "xl";
    var icon = L.divIcon({className: "sensor-cluster sensor-cluster-" + size, html: "", iconSize: null});
    var marker = L.marker([c[1], c[0]], {icon: icon, keyboard: false,
      title: p.count + " " + T.sensors}).addTo(layer);
    marker.on("add", function () {
      var e = marker.getElement();
      if (e) { e.appendChild(el("span", String(p.count))); }
    });
    if (marker.getElement()) { marker.fire("add"); }
    marker.on("click", function () { zoomToCluster(p, c); });
  }

  function listInView(features) {
    if (!list) { return; }
    list.textContent = "";
    var singles = features.filter(function (f) { return !f.properties.cluster; });
    var groups = features.filter(function (f) { return f.properties.cluster; });
    singles.slice(0, 100).forEach(function (f) {
      var p = f.properties, c = f.geometry.coordinates, li = el("li");
      var button = el("button", (p.reference || T.sensor) + " — " + (config.typeLabels[p.sensor_type] || p.sensor_type)
                    + (p.owner_name ? ", " + p.owner_name : ""));
      button.type = "button";
      button.className = "secondary";
      button.addEventListener("click", function () { openSensor(p, [c[1], c[0]], true); });
      li.appendChild(button);
      list.appendChild(li);
    });
    groups.slice(0, 20).forEach(function (f) {
      var p = f.properties, c = f.geometry.coordinates, li = el("li");
      var button = el("button", T.zoomTo.replace("{n}", p.count));
      button.type = "button";
      button.className = "secondary";
      button.addEventListener("click", function () { zoomToCluster(p, c); });
      li.appendChild(button);
      list.appendChild(li);
    });
    if (!singles.length && !groups.length) { list.appendChild(el("li", T.inViewNone)); }
    var hidden = Math.max(0, singles.length - 100) + Math.max(0, groups.length - 20);
    if (more) { more.textContent = hidden ? T.inViewMore.replace("{n}", hidden) : ""; }
  }

  function showFacets(facets) {
    if (!facets) { return; }
    document.querySelectorAll("[data-facet]").forEach(function (e) {
      var parts = e.getAttribute("data-facet").split(":");
      var group = facets[parts[0]] || {};
      e.textContent = "(" + (group[parts[1]] || 0) + ")";
    });
  }

  function load() {
    if (controller) { controller.abort(); }
    controller = new AbortController();
    var params = filterParams();
    params.set("bbox", map.getBounds().toBBoxString());
    params.set("zoom", map.getZoom());
    params.set("facets", "1");
    say(T.loading);
    fetch(config.dataUrl + "?" + params.toString(), {signal: controller.signal,
      headers: {"Accept": "application/geo+json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        layer.clearLayers();  // the shared popup is not in this layer: it stays open
        generation += 1;
        var drawn = {};  // each area once per colour, however many sensors share it
        data.features.forEach(function (f) { if (f.properties.cluster) { drawCluster(f); } else { drawSensor(f, drawn); } });
        showFacets(data.facets);
        listInView(data.features);
        if (count && typeof data.matching === "number") {
          count.textContent = (data.matching === 1 ? T.matchOne : T.matchMany).replace("{n}", data.matching);
        }
        say(T.inView.replace("{n}", data.total));
      })
      .catch(function (e) { if (e.name !== "AbortError") { say(T.failed); } });
  }

  function schedule() { window.clearTimeout(timer); timer = window.setTimeout(function () { writeUrl(); load(); }, 150); }

  function baseLayer() {
    if (!config.baseUrl) { return; }
    map.createPane("base");
    map.getPane("base").style.zIndex = 250;
    fetch(config.baseUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data, {pane: "base", interactive: false, style: function (f) {
        return f.properties.kind === "water" ? {color: "#7fb2d9", weight: 1, fillColor: "#a9cce8", fillOpacity: 1}
          : {color: "#8a8a8a", weight: 1.5, fillColor: "#f4f1ea", fillOpacity: 1, dashArray: "4 3"};
      }}).addTo(map);
      map.attributionControl.addAttribution(T.offlineBase);
    });
  }

  function search() {
    var box = document.getElementById("sensor-map-search");
    var results = document.getElementById("sensor-map-places");
    if (!box || !config.placesUrl) { return; }
    box.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = box.querySelector("input[name=q]").value;
      results.textContent = "";
      fetch(config.placesUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (!data.results.length) { results.appendChild(el("li", T.noPlace)); say(T.noPlace); return; }
          data.results.forEach(function (place, i) {
            var li = el("li"), button = el("button", place.name);
            button.type = "button";
            button.className = "secondary";
            button.addEventListener("click", function () {
              if (place.bbox) { map.fitBounds([[place.bbox[1], place.bbox[0]], [place.bbox[3], place.bbox[2]]]); }
              else { map.setView([place.lat, place.lon], place.type === "adres" || place.type === "coordinates" ? 18 : 16); }
            });
            li.appendChild(button);
            results.appendChild(li);
            if (i === 0) { button.click(); }
          });
          say(data.results[0].name);
        });
    });
  }

  function markFocus() {
    var f = config.focus;
    if (!f) { return; }
    focusParam = f.id;
    var c = f.geometry.coordinates;
    var icon = L.divIcon({className: "sensor-focus", html: "", iconSize: null});
    L.marker([c[1], c[0]], {icon: icon, keyboard: false, interactive: true, zIndexOffset: 1000,
      title: T.thisSensor + ": " + (f.properties.reference || "")})
      .on("click", function () { openSensor(f.properties, [c[1], c[0]], false); }).addTo(map);
    if (!/map=/.test(window.location.hash)) { map.setView([c[1], c[0]], 18); }
    openSensor(f.properties, [c[1], c[0]], false);
  }

  var fold = document.getElementById("sensor-map-filters");
  if (fold && window.matchMedia && window.matchMedia("(max-width: 60rem)").matches) { fold.open = false; }
  if (form) {
    var query = new URLSearchParams(window.location.search);
    form.querySelectorAll("input[name]").forEach(function (input) {
      var values = query.getAll(input.name);
      if (values.length && (input.type === "checkbox" || input.type === "radio")) { input.checked = values.indexOf(input.value) >= 0; }
    });
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function (e) { e.preventDefault(); schedule(); });
  }
  baseLayer();
  readHash();
  markFocus();
  search();
  map.on("moveend", schedule);
  window.addEventListener("hashchange", readHash);
  load();
}
