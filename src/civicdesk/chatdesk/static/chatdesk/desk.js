/* The desk's chats page: the agent's chats live (server-sent events from /staff/chats/events/, or a check every
   second of /staff/chats/live/ when the stream is unavailable), messages sent without reloading, the queue kept
   fresh, waiting times ticking. Each chat panel keeps the seq numbers it has shown: events arrive once, in order,
   whichever path brings them. No inline JS (CSP). */
(function () {
  "use strict";
  var root = document.getElementById("chat-desk");
  if (!root) {
    return;
  }
  var POLL_MS = 1000;
  var MAX_FAILURES = 3;
  var RETRY_LATER_MS = 60000;
  var t = root.dataset;
  var source = null;
  var connected = false;
  var failures = 0;
  var pollTimer = null;
  var polling = false;
  var seen = {}; // session key -> {contiguous: n, seqs: {seq: true}}

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)(02)?([sd])/g, function (all, name, pad, kind) {
      var value = String(values[name] === undefined ? "" : values[name]);
      return pad && value.length < 2 ? "0" + value : value;
    });
  }

  function panels() {
    return Array.prototype.slice.call(root.querySelectorAll("[data-chat-key]"));
  }

  function track(panel) {
    var key = panel.dataset.chatKey;
    if (!seen[key]) {
      var state = {contiguous: 0, seqs: {}};
      panel.querySelectorAll(".cd-chat-log [data-seq]").forEach(function (li) {
        state.seqs[li.dataset.seq] = true;
      });
      while (state.seqs[state.contiguous + 1]) {
        state.contiguous += 1;
      }
      seen[key] = state;
    }
    return seen[key];
  }

  function cursors() {
    return panels().filter(function (p) { return !p.classList.contains("cd-chat-panel--ended"); })
      .map(function (p) { return "c=" + encodeURIComponent(p.dataset.chatKey + ":" + track(p).contiguous); });
  }

  function line(panel, event) {
    var li = document.createElement("li");
    li.dataset.seq = String(event.seq);
    if (event.kind === "message") {
      li.className = "cd-chat-line cd-chat-line--" + event.from;
      var who = document.createElement("span");
      who.className = "cd-chat-line__who";
      who.textContent = event.from === "resident" ? panel.dataset.resident
        : event.from === "agent" ? (event.name || t.tAgent) : t.tSystem;
      var text = document.createElement("span");
      text.className = "cd-chat-line__text";
      text.textContent = event.text;
      li.appendChild(who);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(text);
    } else {
      li.className = "cd-chat-line cd-chat-line--event";
      li.textContent = event.kind === "accepted" ? fmt(t.tAccepted, {name: event.agent || ""})
        : event.kind === "transferred" ? fmt(t.tTransferred, {name: event.agent || ""})
        : event.kind === "blocked" ? t.tBlocked
        : event.by === "resident" ? t.tEndedResident : event.by === "timeout" ? t.tEndedTimeout : t.tEnded;
    }
    return li;
  }

  function markEnded(panel) {
    if (panel.classList.contains("cd-chat-panel--ended")) {
      return;
    }
    panel.classList.add("cd-chat-panel--ended");
    var note = panel.querySelector(".cd-chat-panel__ended");
    if (note) {
      note.hidden = false;
    }
    panel.querySelectorAll("[data-chat-compose] textarea, [data-chat-compose] button, .cd-chat-panel__actions button")
      .forEach(function (control) { control.disabled = true; });
  }

  function apply(event) {
    var panel = document.getElementById("chat-" + event.session);
    if (!panel) {
      refreshPanels();
      return;
    }
    var state = track(panel);
    if (state.seqs[event.seq]) {
      return;
    }
    state.seqs[event.seq] = true;
    while (state.seqs[state.contiguous + 1]) {
      state.contiguous += 1;
    }
    panel.dataset.chatSeq = String(state.contiguous);
    var log = panel.querySelector(".cd-chat-log");
    var lines = panel.querySelector(".cd-chat-log__lines");
    var li = line(panel, event);
    var after = null;
    log.querySelectorAll("[data-seq]").forEach(function (other) {
      if (!after && Number(other.dataset.seq) > event.seq) {
        after = other;
      }
    });
    lines.insertBefore(li, after);
    log.scrollTop = log.scrollHeight;
    if (event.kind === "ended" || event.kind === "blocked") {
      markEnded(panel);
    }
  }

  function request(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({"X-Requested-With": "civicdesk-chat", "HX-Request": "true",
      "HX-Trigger": "chat-live-poller"}, options.headers || {});
    return window.fetch(url, options);
  }

  function replaceQueue(html) {
    var box = document.getElementById("chat-queue");
    var focused = document.activeElement && box.contains(document.activeElement);
    var before = box.querySelectorAll(".cd-chat-queue__item").length;
    box.innerHTML = html;
    var after = box.querySelectorAll(".cd-chat-queue__item").length;
    tick();
    if (focused) {
      document.getElementById("queue-heading").setAttribute("tabindex", "-1");
      document.getElementById("queue-heading").focus();
    }
    if (after > before) {
      document.getElementById("chat-queue-status").textContent =
        fmt(after === 1 ? t.tWaitingOne : t.tWaitingMany, {n: after});
    }
    document.body.dispatchEvent(new window.CustomEvent("cd-chat-queue"));
  }

  function refreshQueue() {
    request(t.queue).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null) {
        replaceQueue(html);
      }
    }).catch(function () {});
  }

  function queueSignature() {
    var holder = document.querySelector("#chat-queue [data-signature]");
    return holder ? holder.dataset.signature : "";
  }

  var refreshing = false;
  function refreshPanels() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    request(t.panels).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      refreshing = false;
      if (html === null) {
        return;
      }
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var box = document.getElementById("chat-panels");
      var fresh = holder.querySelectorAll("[data-chat-key]");
      var keys = {};
      fresh.forEach(function (panel) {
        keys[panel.dataset.chatKey] = true;
        if (!document.getElementById(panel.id)) {
          var empty = box.querySelector(".cd-chat-panels__empty");
          if (empty) {
            empty.remove();
          }
          box.appendChild(panel);
          track(panel);
        }
      });
      panels().forEach(function (panel) {
        if (!keys[panel.dataset.chatKey]) {
          markEnded(panel);
        }
      });
    }).catch(function () { refreshing = false; });
  }

  function check() {
    if (polling || connected) {
      return;
    }
    polling = true;
    var query = cursors().concat(["q=" + encodeURIComponent(queueSignature())]).join("&");
    request(t.live + "?" + query).then(function (response) {
      if (!response.ok || (response.headers.get("Content-Type") || "").indexOf("json") < 0) {
        return null;
      }
      return response.json();
    }).then(function (answer) {
      polling = false;
      if (!answer) {
        return;
      }
      answer.events.forEach(apply);
      if (answer.queue) {
        replaceQueue(answer.queue.html);
      }
      var onPage = {};
      panels().forEach(function (p) { onPage[p.dataset.chatKey] = true; });
      var missing = answer.held.some(function (key) { return !onPage[key]; });
      var gone = panels().some(function (p) {
        return !p.classList.contains("cd-chat-panel--ended") && answer.held.indexOf(p.dataset.chatKey) < 0;
      });
      if (missing || gone) {
        refreshPanels();
      }
    }).catch(function () { polling = false; });
  }

  function startPolling() {
    if (!pollTimer) {
      pollTimer = window.setInterval(check, POLL_MS);
    }
  }

  function stopPolling() {
    if (pollTimer) {
      window.clearInterval(pollTimer);
      pollTimer = null;
    }
  }

  function connect() {
    if (!window.EventSource) {
      startPolling();
      return;
    }
    source = new window.EventSource(t.events + "?" + cursors().join("&"));
    source.addEventListener("open", function () {
      connected = true;
      failures = 0;
      stopPolling();
      root.setAttribute("data-chat-live", "push");
      refreshQueue();
    });
    source.addEventListener("chat", function (message) {
      apply(JSON.parse(message.data));
    });
    source.addEventListener("queue", refreshQueue);
    source.addEventListener("error", function () {
      connected = false;
      root.setAttribute("data-chat-live", "poll");
      startPolling();
      failures += 1;
      if (source.readyState === window.EventSource.CLOSED || failures >= MAX_FAILURES) {
        source.close();
        window.setTimeout(function () { failures = 0; connect(); }, RETRY_LATER_MS);
      }
    });
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function send(form) {
    var panel = form.closest("[data-chat-key]");
    var box = form.querySelector("textarea");
    var error = form.querySelector(".cd-chat-compose__error");
    var text = box.value.trim();
    error.textContent = "";
    if (!text) {
      error.textContent = t.tEmpty;
      box.focus();
      return;
    }
    if (!form.dataset.pendingId) {
      form.dataset.pendingId = newId(); // kept until it is taken: a retry after a lost answer counts once
    }
    var body = new window.URLSearchParams();
    body.set("text", text);
    body.set("id", form.dataset.pendingId);
    body.set("csrfmiddlewaretoken", t.csrf);
    var button = form.querySelector("button");
    button.disabled = true;
    request(form.action, {method: "POST", body: body}).then(function (response) {
      return response.json().then(function (answer) { return {ok: response.ok, answer: answer}; });
    }).then(function (result) {
      button.disabled = panel.classList.contains("cd-chat-panel--ended");
      if (result.ok) {
        delete form.dataset.pendingId;
        if (box.value.trim() === text) {
          box.value = "";
        }
        apply(result.answer);
      } else {
        delete form.dataset.pendingId;
        error.textContent = result.answer.error || t.tFailed;
      }
    }).catch(function () {
      button.disabled = false;
      error.textContent = t.tFailed;
    });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-chat-compose]");
    if (form) {
      event.preventDefault();
      send(form);
    }
  });
  root.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && box.matches("[data-chat-compose] textarea")) {
      event.preventDefault();
      send(box.form);
    }
  });

  function tick() {
    var now = Date.now() / 1000;
    root.querySelectorAll("[data-since]").forEach(function (span) {
      var seconds = Math.max(0, Math.floor(now - Number(span.dataset.since)));
      var h = Math.floor(seconds / 3600);
      var m = Math.floor((seconds % 3600) / 60);
      var s = seconds % 60;
      span.textContent = h ? fmt(t.tWaitH, {h: h, m: m}) : m ? fmt(t.tWaitM, {m: m, s: s}) : fmt(t.tWaitS, {s: s});
    });
  }

  panels().forEach(function (panel) {
    track(panel);
    var log = panel.querySelector(".cd-chat-log");
    log.scrollTop = log.scrollHeight;
  });
  window.setInterval(tick, 1000);
  window.addEventListener("pagehide", function () {
    if (source) {
      source.close();
    }
  });
  connect();
})();
