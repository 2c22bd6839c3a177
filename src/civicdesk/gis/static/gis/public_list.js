// The list under the public map follows the map's filters: when the filter form is sent (map.js keeps the page and
// redraws the points), the list is fetched again with the same filters and swapped in, and the change is announced.
(function () {
  "use strict";
  var form = document.querySelector("[data-gis-filters]");
  var holder = document.querySelector("[data-public-list]");
  var status = document.querySelector("[data-public-list-status]");
  if (!form || !holder || !window.fetch) { return; }

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) { params.set(key, value); } });
    return params.toString();
  }

  function say(text) { if (status) { status.textContent = text; } }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    history.replaceState(null, "", "?" + query());
    holder.setAttribute("aria-busy", "true");
    fetch(holder.getAttribute("data-list-url") + "?" + query(), { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        holder.innerHTML = html;
        var count = holder.querySelector("[data-public-list-count]");
        say(count ? count.textContent.trim() : "");
      })
      .catch(function () {
        var note = document.createElement("p");
        note.className = "usa-error-message";
        note.textContent = holder.getAttribute("data-failed") || "";
        holder.insertBefore(note, holder.firstChild);
        say(note.textContent);
      })
      .then(function () { holder.removeAttribute("aria-busy"); });
  });
})();
