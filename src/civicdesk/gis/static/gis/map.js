// Case maps: clustered points (or server-side grid counts past 5,000 points), boundaries, a heat layer (leaflet.heat
// fed with the server's grid counts as weights, so it costs the same at a million cases) and hotspots.
(function () {
  "use strict";
  var holder = document.querySelector("[data-gis-map]");
  if (!holder || !window.L || !window.CivicDeskMap) { return; }
  var staff = holder.getAttribute("data-staff") === "1";
  var mapEl = document.getElementById("gis-map");
  var status = holder.querySelector("[data-gis-status]");
  var form = document.querySelector("[data-gis-filters]");
  var map = window.CivicDeskMap.createMap(mapEl, holder);
  var control = L.control.layers(null, null, { collapsed: false }).addTo(map);
  var points = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false,
                                      iconCreateFunction: window.CivicDeskMap.clusterIcon });
  var grid = L.layerGroup();
  var heat = staff && L.heatLayer && L.heatLayer([], {
    minOpacity: 0.3, max: 1,
    gradient: { 0.2: "#fff3b0", 0.45: "#fee685", 0.65: "#fa9441", 0.85: "#e52207", 1: "#b50909" }
  });
  var heatCells = [];  // [lat, lon, count] per non-empty grid cell
  var hot = L.layerGroup();
  points.addTo(map);
  control.addOverlay(points, gettext("Requests"));
  if (staff) {
    if (heat) { control.addOverlay(heat, gettext("Heat map")); }
    control.addOverlay(hot, gettext("Hotspots"));
  }
  window.CivicDeskMap.loadBoundaries(map, holder, "").then(function (layer) {
    if (layer) { layer.addTo(map); control.addOverlay(layer, gettext("Boundaries")); }
  });

  function say(text) { if (status) { status.textContent = text; } }

  function params(extra) {
    var data = form ? new FormData(form) : new FormData();
    var query = new URLSearchParams();
    data.forEach(function (value, key) { if (value) { query.set(key, value); } });
    Object.keys(extra || {}).forEach(function (k) { query.set(k, extra[k]); });
    return query;
  }

  function bbox() {
    var b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
  }

  function colour(share) {
    var r = 229, g = Math.round(243 - 209 * share), b = Math.round(176 - 169 * share);
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  function drawGrid(layer, data) {
    layer.clearLayers();
    var max = 1;
    data.features.forEach(function (f) { max = Math.max(max, f.properties.count); });
    data.features.forEach(function (f) {
      var c = f.geometry.coordinates[0];
      var share = f.properties.count / max;
      L.rectangle([[c[0][1], c[0][0]], [c[2][1], c[2][0]]], {
        stroke: false, fillColor: colour(share), fillOpacity: 0.25 + 0.5 * share
      }).bindTooltip(interpolate(ngettext("%(count)s request", "%(count)s requests", f.properties.count), { count: f.properties.count }, true)).addTo(layer);
    });
  }

  function marker(f) {
    var p = f.properties, c = f.geometry.coordinates;
    var label = interpolate(gettext("%(number)s: %(service)s (%(status)s)"),
                            { number: p.number, service: p.service, status: p.status_name }, true);
    var m = L.marker([c[1], c[0]], { title: label, alt: label, keyboard: true });
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.number;
    box.appendChild(title);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(p.service + " · " + p.status_name + " · " + p.created));
    if (p.url) {
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = interpolate(staff ? gettext("Open case %(number)s") : gettext("See request %(number)s"), { number: p.number }, true);
      box.appendChild(document.createElement("br"));
      box.appendChild(link);
    }
    m.bindPopup(box);
    return m;
  }

  // The markers on the map by case number, with what they show: a reload after each move keeps the markers that
  // did not change, so an open popup stays open (a popup opened near the edge pans the map, which reloads).
  var shown = {};

  function showPoints(features) {
    var next = {}, added = [], removed = [];
    features.forEach(function (f) {
      var p = f.properties;
      var sign = JSON.stringify([f.geometry.coordinates, p.service, p.status_name, p.created, p.url]);
      var had = shown[p.number];
      next[p.number] = had && had.sign === sign ? had : { sign: sign, marker: marker(f) };
      if (next[p.number] !== had) { added.push(next[p.number].marker); }
    });
    Object.keys(shown).forEach(function (number) {
      if (next[number] !== shown[number]) { removed.push(shown[number].marker); }
    });
    points.removeLayers(removed);
    points.addLayers(added);
    shown = next;
  }

  function loadPoints() {
    var url = holder.getAttribute("data-cases-url") + "?" + params({ bbox: bbox() }).toString();
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      grid.clearLayers();
      if (data.error) { points.clearLayers(); shown = {}; say(data.error); return; }
      if (data.properties && data.properties.aggregated) {
        points.clearLayers();
        shown = {};
        if (!map.hasLayer(grid)) { grid.addTo(map); }
        drawGrid(grid, data);
        say(interpolate(gettext("%(count)s requests, shown as counts per square because there are too many to show one by one."), { count: data.properties.count }, true));
        return;
      }
      showPoints(data.features);
      say(interpolate(ngettext("%(count)s request on the map.", "%(count)s requests on the map.", data.features.length), { count: data.features.length }, true));
    });
  }

  function drawHeat(data) {
    // one point per non-empty cell, at its centre, weighted by its count; the blur spans about a cell on screen
    // (a display cell, or the base cell the counts come from when that is larger)
    var max = 1;
    var cells = data.features.map(function (f) {
      var c = f.geometry.coordinates[0];
      max = Math.max(max, f.properties.count);
      return [(c[0][1] + c[2][1]) / 2, (c[0][0] + c[2][0]) / 2, f.properties.count];
    });
    var p = data.properties || {};
    var size = Math.max((p.cell || [0, 0])[0], (p.cell || [0, 0])[1], p.base_cell || 0);
    var centre = map.getCenter();
    var a = map.latLngToContainerPoint(centre);
    var b = map.latLngToContainerPoint([centre.lat + size, centre.lng + size]);
    var cellPx = Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y));
    var radius = Math.max(8, Math.min(Math.round(cellPx * 0.75), 60));
    heatCells = cells;
    heat.setOptions({ radius: radius, blur: radius, max: max });
    weighHeat();
  }

  function weighHeat() {
    // leaflet.heat divides each weight by 2^(maxZoom - zoom) (capped at 12) to fade single points when zoomed
    // out; the counts are already totals per cell, so undo that at the current zoom
    var factor = Math.pow(2, Math.max(0, Math.min(map.getMaxZoom() - map.getZoom(), 12)));
    heat.setLatLngs(heatCells.map(function (c) { return [c[0], c[1], c[2] * factor]; }));
  }

  function loadHeat() {
    if (!heat || !map.hasLayer(heat)) { return; }
    var url = holder.getAttribute("data-cases-url") + "?" + params({ bbox: bbox(), aggregate: "1", grid: "64" });
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      if (!data.error) { drawHeat(data); }
    });
  }

  function loadHotspots() {
    if (!map.hasLayer(hot)) { return; }
    var url = holder.getAttribute("data-hotspots-url") + "?" + params({}).toString();
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      hot.clearLayers();
      if (data.error) { say(data.error); return; }
      L.geoJSON(data, {
        style: function (f) {
          var p = f.properties;
          var fill = p.kind === "cold" ? "#2378c3" : (p.confidence === 99 ? "#b50909" : p.confidence === 95 ? "#e52207" : "#f4a29b");
          return { stroke: false, fillColor: fill, fillOpacity: 0.55 };
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          var text = p.kind === "hot"
            ? gettext("Unusually many requests here (%(confidence)s confidence; z = %(z)s, %(count)s in this square)")
            : gettext("Unusually few requests here (%(confidence)s confidence; z = %(z)s, %(count)s in this square)");
          l.bindTooltip(interpolate(text, { confidence: p.confidence + "%", z: p.z, count: p.count }, true));
        }
      }).addTo(hot);
      var hotCount = data.features.filter(function (f) { return f.properties.kind === "hot"; }).length;
      say(interpolate(gettext("Hotspots: %(hot)s squares with unusually many requests, %(cold)s with unusually few."),
                      { hot: hotCount, cold: data.features.length - hotCount }, true));
    });
  }

  var timer = null;
  function reload() {
    clearTimeout(timer);
    timer = setTimeout(function () { loadPoints(); loadHeat(); }, 250);
  }
  map.on("moveend", reload);
  map.on("zoomend", function () { if (heat && map.hasLayer(heat) && heatCells.length) { weighHeat(); } });
  map.on("overlayadd", function (e) {
    if (e.layer === heat) { loadHeat(); }
    if (e.layer === hot) { loadHotspots(); }
  });
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      history.replaceState(null, "", "?" + params({}).toString());
      loadPoints(); loadHeat(); loadHotspots();
    });
  }
  window.CivicDeskMap.keyboardPopups(map, points, say);
  loadPoints();
})();
