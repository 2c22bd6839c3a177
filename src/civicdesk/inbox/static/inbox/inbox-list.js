/* The inbox list under live updates: rows that arrive with a live redraw of #case-list are highlighted and marked
   "New", and announced once in the polite live region (#inbox-announcer); keyboard focus inside the list stays on
   the same link across the redraw. Texts come from the announcer's data attributes (translated by the server).
   No inline JS (CSP). */
(function () {
  "use strict";
  var announcer = document.getElementById("inbox-announcer");
  if (!announcer) {
    return;
  }
  var before = null;
  var focusedId = null;

  function rowNumbers() {
    var rows = document.querySelectorAll("#case-list tr[data-case]");
    var numbers = {};
    for (var i = 0; i < rows.length; i += 1) {
      numbers[rows[i].getAttribute("data-case")] = true;
    }
    return numbers;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function markNew(row) {
    row.classList.add("cd-row--new");
    var cell = row.querySelector("th");
    if (cell && !cell.querySelector(".cd-new")) {
      var tag = document.createElement("span");
      tag.className = "usa-tag cd-new";
      tag.textContent = announcer.getAttribute("data-new-label");
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(tag);
    }
    var subject = row.querySelector(".cd-case-table__subject");
    var number = row.getAttribute("data-case");
    return subject ? number + " " + subject.textContent.trim() : number;
  }

  function announce(items) {
    if (!items.length) {
      return;
    }
    var text = items.length === 1
      ? fill(announcer.getAttribute("data-one"), {"case": items[0]})
      : fill(announcer.getAttribute("data-many"), {"count": String(items.length), "cases": items.join("; ")});
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50); // a change screen readers notice
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "case-list") {
      return;
    }
    before = rowNumbers();
    var active = document.activeElement;
    focusedId = active && active.id && target.contains(active) ? active.id : null;
  });

  document.addEventListener("htmx:oobAfterSwap", function () {
    if (before === null) {
      return;
    }
    var seen = before;
    before = null;
    var rows = document.querySelectorAll("#case-list tr[data-case]");
    var arrived = [];
    for (var i = 0; i < rows.length; i += 1) {
      if (!seen[rows[i].getAttribute("data-case")]) {
        arrived.push(markNew(rows[i]));
      }
    }
    announce(arrived);
    if (focusedId) {
      var again = document.getElementById(focusedId);
      if (again) {
        again.focus();
      }
      focusedId = null;
    }
  });
})();
