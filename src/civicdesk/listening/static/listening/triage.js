/* The triage view of social listening: the volume chart (Chart.js, redrawn when HTMX swaps in the polled fragment;
   its table and summary sentence are what screen readers use), and the map of placed posts (clustered markers over
   a heat layer, both vendored). No inline JS (CSP). */
(function () {
  "use strict";
  var chart = null;

  function drawChart() {
    // no id on the canvas: HTMX would copy the old canvas's style attribute (set by Chart.js) onto the new one,
    // which the CSP refuses
    var canvas = document.querySelector("[data-listening-chart]");
    if (!canvas || !window.Chart) { return; }
    var data = JSON.parse(canvas.getAttribute("data-listening-chart"));
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (chart) { chart.destroy(); }
    chart = new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          {type: "bar", label: data.label_posts, data: data.posts, backgroundColor: "#97d4ea", order: 3},
          {type: "line", label: data.label_relevant, data: data.relevant, borderColor: "#005ea2",
           backgroundColor: "#005ea2", pointRadius: 0, borderWidth: 2, order: 2},
          {type: "line", label: data.label_alerts, data: data.alerts, showLine: false, pointStyle: "triangle",
           pointRadius: 9, pointHoverRadius: 11, borderColor: "#b50909", backgroundColor: "#e52207", order: 1}
        ]
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: {mode: "index", intersect: false},
        scales: {
          x: {ticks: {autoSkip: true, maxTicksLimit: 12}},
          y: {beginAtZero: true, title: {display: true, text: data.label_y}}
        },
        plugins: {legend: {labels: {usePointStyle: true}}}
      }
    });
    if (reduce) { chart.options.animation = false; }
  }

  // A poll never takes the page from under someone using the fragment: it waits while the focus is inside.
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var live = document.getElementById("listening-live");
    if (live && e.detail.elt === live && live.contains(document.activeElement)) { e.preventDefault(); }
  });
  var tableOpen = false;  // the figures' table stays open across polls when it was opened
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    if (!e.detail.target || e.detail.target.id !== "listening-live") { return; }
    var table = e.detail.target.querySelector("[data-listening-table]");
    tableOpen = Boolean(table && table.open);
    if (chart) { chart.destroy(); chart = null; }
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    var live = document.getElementById("listening-live");
    if (!live || chart) { return; }
    var table = live.querySelector("[data-listening-table]");
    if (table && tableOpen) { table.open = true; }
    drawChart();
  });
  drawChart();

  var holder = document.querySelector("[data-listening-map]");
  if (!holder || !window.L || !window.CivicDeskMap) { return; }
  var map = window.CivicDeskMap.createMap(document.getElementById("listening-map"), holder);
  var control = L.control.layers(null, null, {collapsed: true}).addTo(map);
  var points = L.markerClusterGroup ? L.markerClusterGroup({
    chunkedLoading: true, showCoverageOnHover: false, iconCreateFunction: window.CivicDeskMap.clusterIcon
  }) : L.layerGroup();
  var heat = L.heatLayer ? L.heatLayer([], {minOpacity: 0.3, max: 1, radius: 20,
    gradient: {0.2: "#fff3b0", 0.45: "#fee685", 0.65: "#fa9441", 0.85: "#e52207", 1: "#b50909"}}) : null;
  if (heat) { heat.addTo(map); control.addOverlay(heat, gettext("Heat map")); }
  points.addTo(map);
  control.addOverlay(points, gettext("Posts"));
  window.CivicDeskMap.keyboardPopups(map, points, function () {});

  fetch(holder.getAttribute("data-points-url"), {credentials: "same-origin", headers: {Accept: "application/json"}})
    .then(function (r) { return r.ok ? r.json() : {features: []}; })
    .then(function (data) {
      var cells = [];
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties;
        var title = (p.place ? p.place + ": " : "") + p.text.slice(0, 60);
        var marker = L.marker([c[1], c[0]], {title: title, alt: title, keyboard: true});
        var box = document.createElement("div");
        var text = document.createElement("p");
        text.textContent = p.text;
        box.appendChild(text);
        if (p.urgent) {
          var tag = document.createElement("strong");
          tag.textContent = gettext("Urgent");
          box.appendChild(tag);
        }
        marker.bindPopup(box);
        points.addLayer(marker);
        cells.push([c[1], c[0], p.urgent ? 1 : 0.5]);
      });
      if (heat) { heat.setLatLngs(cells); }
    })
    .catch(function () { /* the table beside the map lists the same places */ });
})();
