// The incident page's map: the city's base map (tiles when configured, else the offline places layer) with the
// incident's areas drawn over it, fitted to them.
(function () {
  "use strict";
  var holder = document.querySelector("[data-incident-map]");
  if (!holder || !window.L || !window.CivicDeskMap) { return; }
  var map = window.CivicDeskMap.createMap(document.getElementById("incident-map"), holder);
  fetch(holder.getAttribute("data-incident-areas"), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data || !data.features.length) { return; }
      var layer = L.geoJSON(data, {
        style: function () { return { color: "#b50909", weight: 3, fillColor: "#e52207", fillOpacity: 0.15 }; },
        onEachFeature: function (f, l) { l.bindTooltip(holder.getAttribute("data-text-area") + ": " + f.properties.name, { sticky: true }); }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    })
    .catch(function () { /* the page lists the areas too */ });
})();
