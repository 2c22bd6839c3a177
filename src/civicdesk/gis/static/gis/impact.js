// The initiative page's map: the initiative's area and the hotspot cells that appeared, persisted or vanished.
(function () {
  "use strict";
  var holder = document.querySelector("[data-gis-impact]");
  if (!holder || !window.L || !window.CivicDeskMap) { return; }
  var map = window.CivicDeskMap.createMap(document.getElementById("gis-impact-map"), holder);
  var area = JSON.parse(document.getElementById("gis-impact-area").textContent);
  var cells = JSON.parse(document.getElementById("gis-impact-hotspots").textContent);
  var outline = L.geoJSON(area, { style: { color: "#1b1b1b", weight: 2, fill: false } }).addTo(map);
  map.fitBounds(outline.getBounds());
  var colours = { appeared: "#e52207", persisted: "#8b0a03", vanished: "#00bde3" };
  L.geoJSON(cells, {
    style: function (f) { return { stroke: false, fillColor: colours[f.properties.change], fillOpacity: 0.6 }; },
    onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindTooltip(p.change + ": z before " + p.z_before + ", z after " + p.z_after);
    }
  }).addTo(map);
})();
