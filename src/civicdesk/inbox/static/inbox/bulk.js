/* The inbox's bulk bar: row checkboxes (form="bulk-form") and "select all on this page", a live count of the
   selection, only the fields of the chosen action shown, the case to keep offered from the selected rows, and the
   selection kept across live redraws of #case-list. The bar works without this script (all fields shown, the whole
   page's cases offered to keep). Texts come from data attributes (translated by the server). No inline JS (CSP). */
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  var counter = document.getElementById("bulk-count");
  if (!form || !counter) {
    return;
  }
  var action = form.querySelector("select[name=action]");
  var survivor = form.querySelector("[data-bulk-survivor]");
  var keptDuringRedraw = null;

  function boxes() {
    return document.querySelectorAll("#case-list input[name=cases][form=bulk-form]");
  }

  function checked() {
    return Array.prototype.filter.call(boxes(), function (box) { return box.checked; });
  }

  function countText(count) {
    if (count === 0) {
      return counter.getAttribute("data-zero");
    }
    if (count === 1) {
      return counter.getAttribute("data-one");
    }
    return counter.getAttribute("data-many").replace("{count}", String(count));
  }

  function rowLabel(box) {
    var row = box.closest("tr");
    var subject = row && row.querySelector(".cd-case-table__subject");
    var text = subject ? subject.textContent.trim() : "";
    return box.value + (text ? " – " + (text.length > 40 ? text.slice(0, 39) + "…" : text) : "");
  }

  function fillSurvivors(selected) {
    if (!survivor) {
      return;
    }
    var previous = survivor.value;
    survivor.textContent = "";
    if (!selected.length) {
      var empty = document.createElement("option");
      empty.value = "";
      empty.textContent = survivor.getAttribute("data-empty");
      survivor.appendChild(empty);
      return;
    }
    selected.forEach(function (box) {
      var option = document.createElement("option");
      option.value = box.value;
      option.textContent = rowLabel(box);
      option.selected = box.value === previous;
      survivor.appendChild(option);
    });
  }

  function update() {
    var all = boxes();
    var selected = checked();
    counter.textContent = countText(selected.length);
    var master = document.getElementById("bulk-select-all");
    if (master) {
      master.hidden = false;
      master.checked = all.length > 0 && selected.length === all.length;
      master.indeterminate = selected.length > 0 && selected.length < all.length;
    }
    fillSurvivors(selected);
  }

  function showFields() {
    var chosen = action ? action.value : "";
    var groups = form.querySelectorAll("[data-bulk-for]");
    for (var i = 0; i < groups.length; i += 1) {
      groups[i].hidden = groups[i].getAttribute("data-bulk-for").split(" ").indexOf(chosen) < 0;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.id === "bulk-select-all") {
      var on = target.checked;
      Array.prototype.forEach.call(boxes(), function (box) { box.checked = on; });
      update();
    } else if (target && target.name === "cases" && target.getAttribute("form") === "bulk-form") {
      update();
    } else if (target === action) {
      showFields();
    }
  });

  function fromForm(detail) {
    return Boolean(detail && detail.requestConfig && detail.requestConfig.elt === form);
  }

  // The bulk form's own 400 (nothing selected, a value missing) carries the list and the message: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (fromForm(detail) && detail.xhr && detail.xhr.status === 400) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (fromForm(event.detail)) {
      update();
    }
  });

  // A live redraw of the list keeps the rows that were ticked (the server does not know them).
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "case-list") {
      keptDuringRedraw = checked().map(function (box) { return box.value; });
    }
  });

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (keptDuringRedraw === null || !target || target.id !== "case-list") {
      return;
    }
    var kept = keptDuringRedraw;
    keptDuringRedraw = null;
    Array.prototype.forEach.call(boxes(), function (box) {
      if (kept.indexOf(box.value) >= 0) {
        box.checked = true;
      }
    });
    update();
  });

  showFields();
  update();
})();
