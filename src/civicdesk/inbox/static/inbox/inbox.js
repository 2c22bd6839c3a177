/* Staff pages: pause live polling while the tab is hidden, and confirm destructive forms. No inline JS (CSP). */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (document.hidden && elt && elt.hasAttribute("data-cd-poller")) {
      event.preventDefault();
    }
  });
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
