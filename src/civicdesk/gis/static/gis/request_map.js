// A public request page's small map: a circle around the request's approximate point (never an exact pin).
(function () {
  "use strict";
  var holder = document.querySelector("[data-request-map]");
  if (!holder || !window.L || !window.CivicDeskMap) { return; }
  var lat = parseFloat(holder.getAttribute("data-lat"));
  var lon = parseFloat(holder.getAttribute("data-lon"));
  if (isNaN(lat) || isNaN(lon)) { return; }
  var map = window.CivicDeskMap.createMap(document.getElementById("request-map"), holder);
  var radius = parseFloat(holder.getAttribute("data-radius")) || 50;
  window.CivicDeskMap.loadBoundaries(map, holder, "").then(function (layer) { if (layer) { layer.addTo(map); } });
  L.circle([lat, lon], { radius: radius, color: "#005ea2", weight: 3, fillColor: "#005ea2", fillOpacity: 0.25 }).addTo(map);
  map.setView([lat, lon], 16);
})();
