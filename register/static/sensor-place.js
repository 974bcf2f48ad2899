/* Small maps on the sensor page (the sensor marked) and the report page (click to choose the
 * place, or find an address; the chosen place fills the form's fields).  Settings come from the
 * container's data- attributes; all text is set with textContent (issue 14). */
(function () {
  "use strict";

  function background(map, box) {
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, {maxZoom: 20, attribution: box.dataset.attribution || ""}).addTo(map);
      return;
    }
    fetch(box.dataset.base, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data, {interactive: false, style: function (f) {
        return f.properties.kind === "water" ? {color: "#7fb2d9", weight: 1, fillColor: "#a9cce8", fillOpacity: 1}
          : {color: "#8a8a8a", weight: 1.5, fillColor: "#f4f1ea", fillOpacity: 1, dashArray: "4 3"};
      }}).addTo(map);
    });
  }

  function marker(latlng, label) {
    return L.marker(latlng, {icon: L.divIcon({className: "sensor-focus", html: "", iconSize: null}),
                             keyboard: false, title: label});
  }

  function showSensor(box) {
    var lat = parseFloat(box.dataset.lat), lon = parseFloat(box.dataset.lon);
    var map = L.map(box, {scrollWheelZoom: false, keyboard: true}).setView([lat, lon], 17);
    background(map, box);
    if (box.dataset.area) { L.geoJSON(JSON.parse(box.dataset.area), {style: {color: "#004699", weight: 2, fill: false, dashArray: "6 4"}}).addTo(map); }
    if (box.dataset.fov) { L.geoJSON(JSON.parse(box.dataset.fov), {style: {color: "#d62728", weight: 1, fillOpacity: 0.25}}).addTo(map); }
    marker([lat, lon], box.dataset.label || "").addTo(map);
  }

  function pickPlace(box) {
    var form = document.getElementById(box.dataset.form);
    var place = form.querySelector("[name=place]");
    var status = document.getElementById(box.dataset.status);
    var map = L.map(box, {scrollWheelZoom: false}).setView([52.3676, 4.9041], 12);
    var chosen = null;
    background(map, box);

    function choose(lat, lon, name) {
      lat = Math.round(lat * 1e6) / 1e6;
      lon = Math.round(lon * 1e6) / 1e6;
      place.value = lat.toFixed(6) + ", " + lon.toFixed(6);
      if (chosen) { chosen.setLatLng([lat, lon]); } else { chosen = marker([lat, lon], box.dataset.label || "").addTo(map); }
      if (status) { status.textContent = (box.dataset.chosen || "") + " " + (name || place.value); }
    }
    map.on("click", function (e) { choose(e.latlng.lat, e.latlng.lng); });

    var finder = document.getElementById(box.dataset.finder);
    if (finder) {
      finder.addEventListener("click", function () {
        var q = place.value;
        fetch(box.dataset.places + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (data) {
            if (!data.results.length) { if (status) { status.textContent = box.dataset.none || ""; } return; }
            var p = data.results[0];
            map.setView([p.lat, p.lon], 18);
            choose(p.lat, p.lon, p.name);
          });
      });
    }
  }

  function start() {
    document.querySelectorAll("[data-sensor-map]").forEach(function (box) {
      if (box.dataset.sensorMap === "show") { showSensor(box); } else { pickPlace(box); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
