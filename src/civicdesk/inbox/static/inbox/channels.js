/* The Channels page: Copy buttons put a webhook address on the clipboard (selecting it when the clipboard is not
   available) and say so to screen readers. No inline JS (CSP). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-cd-copy]");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-cd-copy"));
    var status = document.getElementById("copy-status");
    if (!input) { return; }
    function said(text) { if (status) { status.textContent = text; } }
    var copied = button.getAttribute("data-copied") || "Copied.";
    input.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(function () { said(copied); }, function () {
        said(button.getAttribute("data-select") || "");
      });
    } else {
      said(button.getAttribute("data-select") || "");
    }
  });
})();
