// The staff case page's small map: the case's point (staff see the exact point) on the city's base map, with the
// boundaries. After the sidebar saves a new location (htmx), the pin moves to the point the sidebar now carries.
(function () {
  "use strict";
  var holder = document.querySelector("[data-case-map]");
  if (!holder || !window.L || !window.CivicDeskMap) { return; }
  var lat = parseFloat(holder.getAttribute("data-lat"));
  var lon = parseFloat(holder.getAttribute("data-lon"));
  if (isNaN(lat) || isNaN(lon)) { return; }
  var map = window.CivicDeskMap.createMap(document.getElementById("case-map"), holder);
  window.CivicDeskMap.loadBoundaries(map, holder, "").then(function (layer) { if (layer) { layer.addTo(map); } })
    .catch(function () { /* the map still shows the point without its boundaries */ });
  var pin = L.circleMarker([lat, lon], { radius: 8, color: "#1a4480", weight: 3, fillColor: "#2491ff", fillOpacity: 0.9 })
    .addTo(map);
  map.setView([lat, lon], 16);

  document.addEventListener("htmx:afterSettle", function () {
    var summary = document.getElementById("case-summary");
    if (!summary) { return; }
    var newLat = parseFloat(summary.getAttribute("data-case-lat"));
    var newLon = parseFloat(summary.getAttribute("data-case-lon"));
    if (isNaN(newLat) || isNaN(newLon) || (newLat === lat && newLon === lon)) { return; }
    lat = newLat;
    lon = newLon;
    pin.setLatLng([lat, lon]);
    map.setView([lat, lon], map.getZoom());
  });
})();
