// Every page (public and staff), loaded after USWDS:
// 1. After a submission, move keyboard and screen-reader focus to its success message (an element with
//    data-focus-on-load and tabindex="-1"), on page load and after an HTMX swap; an error summary keeps the focus.
// 2. While the USWDS mobile menu is open, the page behind it is inert as well as aria-hidden (USWDS only hides it),
//    so nothing hidden can take focus; when the menu closes, the menu button gets the focus back.
(function () {
  "use strict";
  var NAV_OPEN = "usa-js-mobile-nav--active";
  var MARK = "data-cd-inert";

  function focusSuccess() {
    if (document.getElementById("error-summary")) {
      return;
    }
    var target = document.querySelector("[data-focus-on-load]:not([data-focused])");
    if (target) {
      target.setAttribute("data-focused", "");
      target.focus();
    }
  }

  function syncInert() {
    var open = document.body.classList.contains(NAV_OPEN);
    if (open) {
      document.querySelectorAll("[data-nav-hidden]").forEach(function (element) {
        var parent = element.parentElement;
        var covered = parent && parent.hasAttribute("data-nav-hidden");
        if (!covered && !element.classList.contains("usa-overlay") && !element.inert) {
          element.inert = true;
          element.setAttribute(MARK, "");
        }
      });
      return;
    }
    var released = document.querySelectorAll("[" + MARK + "]");
    released.forEach(function (element) {
      element.inert = false;
      element.removeAttribute(MARK);
    });
    var menuButton = document.querySelector(".usa-menu-btn");
    var active = document.activeElement;  // USWDS's own focus call failed: the button was still inert
    var lost = !active || active === document.body || active.closest(".usa-nav") !== null;
    if (released.length && lost && menuButton && menuButton.offsetParent !== null) {
      menuButton.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusSuccess();
    new MutationObserver(syncInert).observe(document.body, {attributes: true, attributeFilter: ["class"]});
  });
  document.addEventListener("htmx:afterSettle", focusSuccess);
})();
