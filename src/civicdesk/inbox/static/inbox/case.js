/* The staff case page: the composer (sent in place by HTMX, focus kept where the agent works) and presence (this tab
   says every few seconds that it is open, and whether the agent is writing; the answer names the other staff on
   the case, announced politely only when it changes). No inline JS (CSP). */
(function () {
  "use strict";

  /* ---- The composer ---- */
  var pending = null; // the composer request in flight: was it a preview, and was the agent in the composer

  function inComposer(elt) {
    return !!(elt && elt.closest && elt.closest("[data-cd-composer]"));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var detail = event.detail || {};
    if (inComposer(detail.elt)) {
      pending = {elt: detail.elt, preview: !!(detail.target && detail.target.id === "composer-preview"),
                 focused: inComposer(document.activeElement)};
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // A refused send or preview (400) comes back with the errors to show in place.
    var config = event.detail.requestConfig;
    if (event.detail.xhr.status === 400 && inComposer(config && config.elt)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    // Only the composer's own answer settles it: a live timeline update may settle in between.
    var config = event.detail && event.detail.requestConfig;
    if (!pending || !config || config.elt !== pending.elt) {
      return;
    }
    var done = pending;
    pending = null;
    var form = document.getElementById("reply-form");
    if (done.preview) {
      var region = document.getElementById("composer-preview");
      var shown = region && (region.querySelector("[data-cd-preview]") || region.querySelector("[role=alert]"));
      if (shown) {
        shown.setAttribute("tabindex", "-1");
        shown.focus();
      }
    } else if (form && done.focused) {
      var invalid = form.querySelector("[aria-invalid=true]") ||
        form.querySelector(".usa-form-group--error input, .usa-form-group--error select");
      (invalid || form.querySelector("[data-cd-composer-text]") || form).focus();
    }
    presenceState();
  });

  /* ---- Presence ---- */
  var box = document.querySelector("[data-cd-presence]");
  if (!box || !window.fetch || !window.FormData) {
    return;
  }
  var url = box.getAttribute("data-cd-presence");
  var leaveUrl = box.getAttribute("data-cd-presence-leave");
  var token = box.getAttribute("data-csrf");
  var seconds = parseInt(box.getAttribute("data-cd-presence-seconds"), 10) || 8;
  function newTab() {
    return (window.crypto && window.crypto.randomUUID) ? window.crypto.randomUUID()
      : "tab-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  }
  var tab = newTab();
  var state = "viewing";
  var shown = box.innerHTML;
  var timer = null;
  var stopped = false;
  var inFlight = false;
  var again = false;

  function currentState() {
    var form = document.getElementById("reply-form");
    var text = form && form.querySelector("[data-cd-composer-text]");
    if (!text || !text.value.trim()) {
      return "viewing";
    }
    var note = form.querySelector("input[name=mode][value=note]");
    return note && note.checked ? "noting" : "replying";
  }

  function body() {
    var data = new window.FormData();
    data.append("tab", tab);
    data.append("state", state);
    data.append("csrfmiddlewaretoken", token);
    return data;
  }

  function bellCount(unread) {
    // The heartbeat carries the unread count: the bell asks for itself only when the count it shows is not that.
    var bell = document.getElementById("notification-poller");
    var shown = bell && (bell.getAttribute("hx-get") || "").match(/[?&]shown=(\d*)/);
    if (bell && unread !== null && shown && shown[1] !== unread) {
      document.body.dispatchEvent(new window.CustomEvent("cd-changed"));
    }
  }

  function beat() {
    if (stopped) {
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    window.clearTimeout(timer);
    inFlight = true;
    window.fetch(url, {method: "POST", body: body(), credentials: "same-origin",
                       headers: {"X-CSRFToken": token, "HX-Request": "true"}})
      .then(function (response) {
        if (response.status === 403 || response.status === 404) {
          stopped = true; // signed out of this case: nothing more to say
        }
        bellCount(response.headers.get("X-CD-Unread"));
        return response.status === 200 ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && html.trim() !== shown.trim()) {
          shown = html;
          box.innerHTML = html; // the live region speaks only when who is here, or what they do, changed
        }
      })
      .catch(function () { /* offline for a moment: the next beat tries again */ })
      .then(function () {
        inFlight = false;
        if (again) {
          again = false;
          beat();
        } else if (!stopped) {
          timer = window.setTimeout(beat, seconds * 1000);
        }
      });
  }

  function presenceState() {
    if (!box || !url) {
      return;
    }
    var next = currentState();
    if (next !== state) {
      state = next;
      beat();
    }
  }

  document.addEventListener("input", function (event) {
    if (inComposer(event.target)) {
      presenceState();
    }
  });
  document.addEventListener("change", function (event) {
    if (inComposer(event.target)) {
      presenceState();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      beat();
    }
  });
  window.addEventListener("pagehide", function () {
    window.clearTimeout(timer);
    if (navigator.sendBeacon) {
      var data = new window.FormData();
      data.append("tab", tab);
      data.append("csrfmiddlewaretoken", token);
      navigator.sendBeacon(leaveUrl, data);
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      tab = newTab(); // back from the back-forward cache: the old tab said it left, so this is a new one
      stopped = false;
      beat(); // present again, as a new tab
    }
  });
  state = currentState();
  beat();
})();
