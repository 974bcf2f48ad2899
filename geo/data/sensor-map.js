/* Stadsregister sensor map: fetch what is in view, draw clusters, sensors, areas and fields of
 * view.  No inline event handlers; all text from the register is set with textContent. */
function stadsregisterSensorMap(map, config) {
  "use strict";
  var layer = L.layerGroup().addTo(map);
  var status = document.getElementById(config.statusId);
  var form = document.getElementById(config.formId);
  var controller = null, timer = null;

  function say(text) { if (status) { status.textContent = text; } }

  function colour(type) { return config.colours[type] || config.colours.other; }

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
    var hash = "#map=" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + hash);
    // Links to the same selection elsewhere (the table, the open-data files) follow the filters.
    document.querySelectorAll("a[data-keep-filters]").forEach(function (link) {
      link.href = link.pathname + (query ? "?" + query : "");
    });
  }

  function popup(p) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.reference || config.text.sensor;
    box.appendChild(link);
    [config.typeLabels[p.sensor_type], p.owner_name,
     p.personal_data ? config.text.personal : null,
     p.expired ? config.text.expired : null].forEach(function (line) {
      if (line) { var div = document.createElement("div"); div.textContent = line; box.appendChild(div); }
    });
    return box;
  }

  function drawSensor(f) {
    var p = f.properties, c = f.geometry.coordinates, col = colour(p.sensor_type);
    if (p.area) { L.geoJSON(p.area, {style: {color: col, weight: 2, fill: false, dashArray: "6 4"}}).addTo(layer); }
    if (p.field_of_view) { L.geoJSON(p.field_of_view, {style: {color: col, weight: 1, fillOpacity: 0.25}}).addTo(layer); }
    L.circleMarker([c[1], c[0]], {radius: 6, color: "#222", weight: 1, fillColor: col, fillOpacity: 0.9})
      .bindPopup(popup(p)).addTo(layer);
  }

  function drawCluster(f) {
    var p = f.properties, c = f.geometry.coordinates;
    var size = p.count < 10 ? "s" : p.count < 100 ? "m" : p.count < 1000 ? "l" : "xl";
    var icon = L.divIcon({className: "sensor-cluster sensor-cluster-" + size, html: "", iconSize: null});
    var marker = L.marker([c[1], c[0]], {icon: icon, keyboard: true,
      title: p.count + " " + config.text.sensors}).addTo(layer);
    marker.on("add", function () {
      var el = marker.getElement();
      if (el) { var span = document.createElement("span"); span.textContent = p.count; el.appendChild(span); }
    });
    if (marker.getElement()) { marker.fire("add"); }
    marker.on("click", function () {
      var b = p.bbox;
      if (b[0] === b[2] && b[1] === b[3]) { map.setView([c[1], c[0]], p.expansion_zoom); }
      else { map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {maxZoom: p.expansion_zoom}); }
    });
  }

  function showFacets(facets) {
    if (!facets) { return; }
    document.querySelectorAll("[data-facet]").forEach(function (el) {
      var parts = el.getAttribute("data-facet").split(":");
      var group = facets[parts[0]] || {};
      el.textContent = "(" + (group[parts[1]] || 0) + ")";
    });
  }

  function load() {
    if (controller) { controller.abort(); }
    controller = new AbortController();
    var params = filterParams();
    params.set("bbox", map.getBounds().toBBoxString());
    params.set("zoom", map.getZoom());
    params.set("facets", "1");
    say(config.text.loading);
    fetch(config.dataUrl + "?" + params.toString(), {signal: controller.signal,
      headers: {"Accept": "application/geo+json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        layer.clearLayers();
        data.features.forEach(function (f) {
          if (f.properties.cluster) { drawCluster(f); } else { drawSensor(f); }
        });
        showFacets(data.facets);
        say(config.text.inView.replace("{n}", data.total));
      })
      .catch(function (e) { if (e.name !== "AbortError") { say(config.text.failed); } });
  }

  function schedule() { window.clearTimeout(timer); timer = window.setTimeout(function () { writeUrl(); load(); }, 150); }

  if (form) {
    var query = new URLSearchParams(window.location.search);
    form.querySelectorAll("input[name]").forEach(function (input) {
      var values = query.getAll(input.name);
      if (values.length && (input.type === "checkbox" || input.type === "radio")) { input.checked = values.indexOf(input.value) >= 0; }
    });
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function (e) { e.preventDefault(); schedule(); });
  }
  readHash();
  map.on("moveend", schedule);
  window.addEventListener("hashchange", readHash);
  load();
}
