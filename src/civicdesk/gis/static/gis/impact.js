// The initiative page's map: its area, its parts shaded by the change in request rate, and the hotspot cells
// that appeared, persisted or vanished.
(function () {
  "use strict";
  var holder = document.querySelector("[data-gis-impact]");
  if (!holder || !window.L || !window.CivicDeskMap) { return; }
  var map = window.CivicDeskMap.createMap(document.getElementById("gis-impact-map"), holder);
  var area = JSON.parse(document.getElementById("gis-impact-area").textContent);
  var cells = JSON.parse(document.getElementById("gis-impact-hotspots").textContent);
  function shade(change) {
    if (change === null || change === undefined) { return "#dfe1e2"; }
    if (change <= -25) { return "#00a91c"; }
    if (change < 0) { return "#70e17b"; }
    if (change < 25) { return "#fee685"; }
    return "#fa9441";
  }
  var rates = L.geoJSON(area, {
    style: function (f) {
      var p = f.properties;
      if (p.role === "initiative") { return { color: "#1b1b1b", weight: 3, fill: false }; }
      return { color: "#565c65", weight: 1, fillColor: shade(p.change_pct), fillOpacity: 0.45 };
    },
    onEachFeature: function (f, l) {
      var p = f.properties;
      if (p.role === "initiative") { return; }
      var text = p.change_pct === null
        ? gettext("%(name)s: %(before)s before, %(after)s after per 30 days")
        : gettext("%(name)s: %(before)s before, %(after)s after per 30 days (%(change)s)");
      l.bindTooltip(interpolate(text, { name: p.name, before: p.rate_before, after: p.rate_after,
                                        change: (p.change_pct > 0 ? "+" : "") + p.change_pct + "%" }, true),
                    { sticky: true });
    }
  }).addTo(map);
  map.fitBounds(rates.getBounds());
  var colours = { appeared: "#e52207", persisted: "#8b0a03", vanished: "#00bde3" };
  L.geoJSON(cells, {
    style: function (f) { return { stroke: false, fillColor: colours[f.properties.change], fillOpacity: 0.6 }; },
    onEachFeature: function (f, l) {
      var p = f.properties;
      var words = { appeared: gettext("Hotspot that appeared"), persisted: gettext("Hotspot that persisted"),
                    vanished: gettext("Hotspot that vanished") };
      l.bindTooltip(interpolate(gettext("%(change)s: z-score %(before)s before, %(after)s after"),
                                { change: words[p.change], before: p.z_before, after: p.z_after }, true));
    }
  }).addTo(map);
})();
