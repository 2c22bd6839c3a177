/* The staff case page's sidebar and photos. No inline JS (CSP).
   - Sidebar fields save with htmx (hx-post on each small form); their Save buttons are for pages without JavaScript,
     so they are hidden here (the cd-js class). A refused or invalid save (400, 409) still shows its answer.
   - Live updates do not replace the sidebar while the user is in it (a half-typed tag or an open list stays).
   - After removing a tag the focus goes to the tag box, not to the top of the page.
   - Photos open larger in a dialog; Esc, the Close button or a click beside the photo closes it. */
(function () {
  "use strict";
  document.documentElement.classList.add("cd-js");

  function inSidebar(elt) {
    return !!(elt && elt.closest && elt.closest("#case-summary"));
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    if ((status === 400 || status === 409) && inSidebar(event.detail.elt)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  var saving = 0;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!event.defaultPrevented && inSidebar(event.detail.elt)) { saving += 1; }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (inSidebar(event.detail.elt) || event.detail.elt && !document.body.contains(event.detail.elt)) {
      saving = Math.max(0, saving - 1);
    }
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "case-summary") { return; }
    if (saving > 0 || target.contains(document.activeElement)) {
      event.detail.shouldSwap = false;  // the save's own answer, or the next change, brings the sidebar up to date
    }
  });

  var lastForm = "";
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (inSidebar(elt) && elt.id) { lastForm = elt.id; }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "case-summary") { return; }
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) { return; }
    var form = lastForm && document.getElementById(lastForm);
    var field = form && form.querySelector("input:not([type=hidden]), select, textarea");
    if (field) { field.focus(); }
  });

  var dialog = document.getElementById("photo-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return; // no dialog support: the thumbnails are plain links to the photos
  }
  var opener = null;
  var caption = dialog.querySelector(".cd-photo-dialog__caption");
  var frame = dialog.querySelector(".cd-photo-dialog__frame");
  var openLink = dialog.querySelector(".cd-photo-dialog__open");

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-photo-full]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    opener = link;
    var text = link.getAttribute("data-photo-caption") || "";
    caption.textContent = text;
    var image = document.createElement("img");
    image.className = "cd-photo-dialog__img";
    image.alt = text;
    image.src = link.getAttribute("data-photo-full");
    frame.replaceChildren(image);
    openLink.href = link.getAttribute("data-photo-full");
    dialog.showModal();
    dialog.querySelector("[data-photo-close]").focus();
  });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog || event.target.closest("[data-photo-close]")) { dialog.close(); }
  });
  dialog.addEventListener("close", function () {
    frame.replaceChildren();
    if (opener) { opener.focus(); }
  });
})();
