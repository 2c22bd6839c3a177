// The address box as an ARIA 1.2 combobox: type an address or a place name, choose a suggestion with the arrow keys
// and Enter (or a click); Escape closes the list. The chosen place is announced to the map picker with the
// "civicdesk:place-chosen" event. Without this script the box is a plain text field and still submits.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var holder = document.querySelector("[data-place-search]");
    if (!holder) { return; }
    var form = holder.closest("form") || document;
    var input = form.querySelector("input[name=address]");
    if (!input) { return; }
    var url = holder.getAttribute("data-place-search");
    var text = function (name) { return holder.getAttribute("data-text-" + name) || ""; };
    var wrapper = input.parentNode;
    wrapper.classList.add("places-combobox");
    var list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "places-listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", text("listbox"));
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    var live = document.createElement("div");
    live.className = "usa-sr-only";
    live.setAttribute("aria-live", "polite");
    live.setAttribute("data-places-status", "");
    list.insertAdjacentElement("afterend", live);
    var hint = document.createElement("div");
    hint.className = "usa-hint";
    hint.id = input.id + "-search-hint";
    hint.textContent = text("hint");
    input.insertAdjacentElement("beforebegin", hint);
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + hint.id).trim());
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var results = [];
    var active = -1;
    var timer = null;
    var asked = "";

    function open(isOpen) {
      list.hidden = !isOpen;
      input.setAttribute("aria-expanded", isOpen ? "true" : "false");
      if (!isOpen) { setActive(-1); }
    }

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && list.children[index]) {
        input.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(items) {
      results = items;
      list.innerHTML = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.appendChild(document.createTextNode(item.label));
        if (item.kind_label) {
          var kind = document.createElement("span");
          kind.className = "places-option__kind";
          kind.textContent = item.kind_label;
          li.appendChild(kind);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      open(items.length > 0);
      var count = items.length === 1 ? text("count-one") : text("count").replace("%s", items.length);
      live.textContent = items.length ? count : text("none");
    }

    function suggest() {
      var q = input.value.trim();
      if (q.length < 2) { render([]); live.textContent = ""; return; }
      if (q === asked) { return; }
      asked = q;
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (q === input.value.trim()) { render(data.results || []); } })
        .catch(function () { render([]); });
    }

    function choose(i) {
      var item = results[i];
      if (!item) { return; }
      input.value = item.address || item.label;
      asked = input.value.trim();
      open(false);
      live.textContent = text("chosen").replace("%s", item.label);
      form.dispatchEvent(new CustomEvent("civicdesk:place-chosen", { detail: item }));
    }

    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 150); });
    input.addEventListener("keydown", function (e) {
      var isOpen = !list.hidden;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (!isOpen) { if (results.length) { open(true); setActive(0); } else { asked = ""; suggest(); } return; }
        setActive(active + 1 >= results.length ? 0 : active + 1);
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (isOpen) { setActive(active <= 0 ? results.length - 1 : active - 1); }
      } else if (e.key === "Enter") {
        if (isOpen && active >= 0) { e.preventDefault(); choose(active); }
      } else if (e.key === "Escape") {
        if (isOpen) { e.preventDefault(); open(false); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 150); });
  });
})();
