// Shared map setup for CivicDesk pages: base layer (tiles when configured, else a plain background) and bounds.
(function () {
  "use strict";
  function bounds(el) {
    var b = (el.getAttribute("data-bounds") || "").split(",").map(Number);
    if (b.length !== 4 || b.some(isNaN)) { return null; }
    return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }
  function createMap(container, holder) {
    var map = L.map(container, { preferCanvas: true, keyboard: true, zoomSnap: 0.5, maxZoom: 19 });
    var tileUrl = holder.getAttribute("data-tile-url");
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: holder.getAttribute("data-tile-attribution") || "" }).addTo(map);
    } else {
      container.classList.add("gis-map--plain");
    }
    var b = bounds(holder);
    if (b) { map.fitBounds(b); } else { map.setView([0, 0], 2); }
    return map;
  }
  function loadBoundaries(map, holder, type) {
    var url = holder.getAttribute("data-areas-url");
    if (!url) { return Promise.resolve(null); }
    var layer = L.geoJSON(null, {
      style: function (f) {
        var city = f.properties.jurisdiction;  // colours come from the area types (admin: Area types)
        return { color: f.properties.colour || "#565c65", weight: city ? 3 : 1.5, fill: false, dashArray: city ? null : "4 3" };
      },
      onEachFeature: function (f, l) { l.bindTooltip(f.properties.type_name + ": " + f.properties.name, { sticky: true }); }
    });
    return fetch(url + (type ? "?type=" + encodeURIComponent(type) : ""), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { layer.addData(data); return layer; });
  }
  window.CivicDeskMap = { createMap: createMap, loadBoundaries: loadBoundaries };
})();
