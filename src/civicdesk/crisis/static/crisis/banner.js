// The incident banner: "Hide this alert for this visit" hides it until the browser tab is closed (sessionStorage).
// Without this script (or storage) the banner simply stays.
(function () {
  "use strict";
  function stored(key) {
    try { return window.sessionStorage.getItem("incident-hidden:" + key) === "1"; } catch (e) { return false; }
  }
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-incident-banner]"), function (banner) {
      var key = banner.getAttribute("data-incident-banner");
      if (stored(key)) { banner.hidden = true; return; }
      var button = banner.querySelector("[data-incident-dismiss]");
      if (!button) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        try { window.sessionStorage.setItem("incident-hidden:" + key, "1"); } catch (e) { /* hidden for this page only */ }
        banner.hidden = true;
        var main = document.getElementById("main-content");
        if (main) { main.setAttribute("tabindex", "-1"); main.focus(); }
      });
    });
  });
})();
