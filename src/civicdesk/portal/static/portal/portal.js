// Portal pages: move keyboard and screen-reader focus to the error summary when a form comes back with problems.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
