// The resident's status page: after sending, focus moves to the thanks (or to the problem with what was sent), so
// keyboard and screen-reader users hear the outcome first.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.getElementById("error-summary") || document.querySelector("[data-focus-on-load]");
    if (target) { target.focus(); }
  });
})();
