/* The scorecard's trend chart: requests per month (bars) and the median days to resolution (a line), drawn from the
   same figures as the table beside it (the table and the text summary are what screen readers use). No inline JS. */
(function () {
  "use strict";
  var canvas = document.getElementById("scorecard-chart");
  if (!canvas || !window.Chart) {
    return;
  }
  var data = JSON.parse(canvas.getAttribute("data-scorecard-chart"));
  var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  new window.Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        {type: "bar", label: data.requests, data: data.created, backgroundColor: "#005ea2", yAxisID: "y"},
        {type: "line", label: data.days, data: data.resolution_days, borderColor: "#c05600",
         backgroundColor: "#c05600", yAxisID: "days", spanGaps: true}
      ]
    },
    options: {
      animation: reduce ? false : undefined,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        y: {beginAtZero: true, position: "left", title: {display: true, text: data.requests}},
        days: {beginAtZero: true, position: "right", grid: {drawOnChartArea: false},
               title: {display: true, text: data.days}}
      }
    }
  });
})();
