// "This is my problem too": htmx leaves 4xx answers unswapped by default, which hid the error. Here an answer to
// one request's button (gis/_follow.html) is swapped in for 404, 422 and 429 too, so its error shows next to its
// own email box; focus then moves to the result (the thanks or the error), and a failure to reach the server is
// said next to the button instead of nothing happening.
(function () {
  "use strict";
  var SHOWN = [404, 422, 429];

  function followBox(el) { return el && el.closest ? el.closest("[data-follow]") : null; }

  document.addEventListener("htmx:beforeSwap", function (e) {
    if (followBox(e.detail.target) && SHOWN.indexOf(e.detail.xhr.status) !== -1) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    var box = e.detail.target && e.detail.target.id ? document.getElementById(e.detail.target.id) : null;
    var result = box && box.querySelector("[data-follow-result]");
    if (!result) { return; }
    result.focus();
    var input = box.querySelector("input[type=email]");
    if (input && input.getAttribute("aria-invalid") === "true") { input.focus(); }
  });

  function failed(e) {
    var box = followBox(e.detail.elt);
    if (!box || (e.detail.xhr && SHOWN.indexOf(e.detail.xhr.status) !== -1)) { return; }
    var note = box.querySelector("[data-follow-failed]");
    if (!note) {
      note = document.createElement("p");
      note.className = "usa-error-message";
      note.setAttribute("role", "alert");
      note.setAttribute("data-follow-failed", "");
      box.appendChild(note);
    }
    note.textContent = box.getAttribute("data-failed-text") || "We could not reach the server. Please try again.";
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
