// The initiative form's map: the boundary chosen in the Area list, drawn over the city's base map and refitted
// whenever the choice changes (the list stays the way to choose; the map only shows the choice).
(function () {
  "use strict";
  var holder = document.querySelector("[data-initiative-area-map]");
  if (!holder || !window.L || !window.CivicDeskMap) { return; }
  var select = document.getElementById(holder.getAttribute("data-area-field"));
  var status = holder.querySelector("[data-area-status]");
  var map = window.CivicDeskMap.createMap(document.getElementById("initiative-area-map"), holder);
  var shown = L.geoJSON(null, { style: { color: "#1b1b1b", weight: 3, fillColor: "#2378c3", fillOpacity: 0.2 } })
    .addTo(map);
  var areas = null;

  function draw() {
    shown.clearLayers();
    if (!areas || !select) { return; }
    var id = Number(select.value);
    var found = areas.features.filter(function (f) { return f.properties.id === id; });
    if (!found.length) {
      status.textContent = select.value ? gettext("This area is not in the active boundaries, so it is not drawn.") : "";
      return;
    }
    shown.addData({ type: "FeatureCollection", features: found });
    map.fitBounds(shown.getBounds(), { padding: [10, 10] });
    status.textContent = interpolate(gettext("The map shows %(name)s."), { name: found[0].properties.type_name + ": " +
      found[0].properties.name }, true);
  }

  fetch(holder.getAttribute("data-areas-url"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) { areas = data; draw(); })
    .catch(function () { status.textContent = gettext("The boundaries could not be loaded; the list still works."); });
  if (select) { select.addEventListener("change", draw); }
})();
