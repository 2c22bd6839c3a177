/* The trends page: one Chart.js chart per measure, drawn from the same figures as the table after it (the tables and
   the text summaries are what screen readers use), and the map of cases that missed a target, shaded per area.
   No inline JS (CSP). */
(function () {
  "use strict";
  var holder = document.getElementById("trend-data");
  if (!holder) { return; }
  var data = JSON.parse(holder.getAttribute("data-trends"));
  var missed = JSON.parse(holder.getAttribute("data-missed"));
  var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // USWDS colours that keep 3:1 against white, in an order where neighbours differ.
  var COLOURS = ["#005ea2", "#c05600", "#00a398", "#8168b3", "#d83933", "#4d8055", "#936f38", "#1a4480"];

  if (window.Chart) {
    document.querySelectorAll("canvas[data-trend-chart]").forEach(function (canvas) {
      var series = data[canvas.getAttribute("data-trend-chart")] || [];
      var kind = canvas.getAttribute("data-trend-kind") || "line";
      new window.Chart(canvas, {
        type: kind,
        data: {
          labels: data.labels,
          datasets: series.map(function (s, i) {
            return {label: s.label, data: s.data, borderColor: COLOURS[i % COLOURS.length],
                    backgroundColor: COLOURS[i % COLOURS.length], spanGaps: true};
          })
        },
        options: {
          animation: reduce ? false : undefined,
          responsive: true,
          maintainAspectRatio: false,
          // bars stack on both axes (stacked on x alone, each group hid the ones drawn before it)
          scales: {y: {beginAtZero: true, stacked: kind === "bar"}, x: {stacked: kind === "bar"}},
          plugins: {legend: {position: "bottom"}}
        }
      });
    });
  }

  var mapEl = document.getElementById("missed-map");
  if (!mapEl || !window.L || !window.CivicDeskMap) { return; }
  var map = window.CivicDeskMap.createMap(mapEl, mapEl);
  var counts = missed.areas || {};
  var most = 0;
  Object.keys(counts).forEach(function (k) { most = Math.max(most, counts[k]); });
  function shade(n) {
    if (!n || !most) { return 0.05; }
    return 0.15 + 0.55 * (n / most);
  }
  fetch(mapEl.getAttribute("data-missed-areas-url"), {credentials: "same-origin"})
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      var layer = L.geoJSON(geo, {
        style: function (f) {
          var n = counts[f.properties.id] || 0;
          return {color: "#1b1b1b", weight: 1.5, fillColor: "#d83933", fillOpacity: shade(n)};
        },
        onEachFeature: function (f, l) {
          var n = counts[f.properties.id] || 0;
          l.bindTooltip(f.properties.name + ": " + interpolate(
            ngettext("%(n)s case missed a target", "%(n)s cases missed a target", n), {n: n}, true), {sticky: true});
        }
      }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds()); }
      mapEl.setAttribute("data-areas-drawn", String(layer.getLayers().length));  // for tests: the shading is on
    })
    .catch(function () { /* the table below holds the same counts */ });
  (missed.points || []).forEach(function (p) {
    L.circleMarker([p.lat, p.lon], {radius: 5, color: "#1b1b1b", weight: 1, fillColor: "#d83933", fillOpacity: 0.9})
      .bindTooltip(p.number).addTo(map);
  });
})();
