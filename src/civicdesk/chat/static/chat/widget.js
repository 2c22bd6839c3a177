// The portal's chat widget (chat/_widget.html): a button that opens a non-modal panel with the chat.
// - The panel's content is a server-rendered fragment (/chat/), fetched when it opens; its forms post with fetch
//   and the answer (a fragment) replaces it. Without JavaScript the button is a link to the same page.
// - A live chat listens on /chat/events/ (server-sent events, resuming after the last seq it has); when the stream
//   is unavailable (no EventSource, 204 from a WSGI server, nothing within 5 s) it polls /chat/poll/ every second.
// - A message gets a UUID before it is sent; a failed send is retried with the same UUID (it takes effect once).
// - Focus: opening moves it to the panel's title, Escape or × closes and returns it to the button; new messages
//   are announced by the log (role="log"), the queue place and who is answering by a status line (role="status").
(function () {
  "use strict";
  var root = document.querySelector("[data-chat-widget]");
  if (!root) {
    return;
  }
  var STORE = "civicdesk-chat";
  var toggle = root.querySelector("[data-chat-toggle]");
  var panel = document.getElementById("cd-chat-panel");
  var body = root.querySelector("[data-chat-body]");
  var title = document.getElementById("cd-chat-title");
  var closeButton = root.querySelector("[data-chat-close]");
  var live = null;
  var loaded = false;

  function say(name, values) {
    var value = root.getAttribute("data-text-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      value = value.split("{" + key + "}").join(String(values[key]));
    });
    return value;
  }

  function remember(value) {
    try {
      if (value) {
        window.sessionStorage.setItem(STORE, value);
      } else {
        window.sessionStorage.removeItem(STORE);
      }
    } catch (e) { /* storage disabled: the chat still works on this page */ }
  }

  function remembered() {
    try {
      return window.sessionStorage.getItem(STORE) || "";
    } catch (e) {
      return "";
    }
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" +
      hex.slice(20);
  }

  function request(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({"X-Requested-With": "civicdesk-chat"}, options.headers || {});
    return window.fetch(url, options);
  }

  // ---------------------------------------------------------------------------------------------- the panel

  function isOpen() {
    return !panel.hidden;
  }

  function open(restoring) {
    panel.hidden = false;
    toggle.hidden = true;
    toggle.setAttribute("aria-expanded", "true");
    toggle.textContent = say("open");
    remember(live ? "live-open" : "open");
    if (restoring !== true) {
      title.focus();  // not when a new page shows the panel again: focus starts at the page's top then
    }
    if (!loaded) {
      load(root.getAttribute("data-panel-url"), false);
    }
  }

  function close() {
    panel.hidden = true;
    toggle.hidden = false;
    toggle.setAttribute("aria-expanded", "false");
    remember(live ? "live" : "");
    toggle.focus();
  }

  function load(url, focusInside) {
    return request(url).then(function (response) {
      return response.text();
    }).then(function (html) {
      show(html, focusInside);
    }).catch(function () {
      body.textContent = say("error");
    });
  }

  function show(html, focusInside) {
    stop();
    body.innerHTML = html;
    loaded = true;
    wire(focusInside);
  }

  function wire(focusInside) {
    var start = body.querySelector("[data-chat-start]");
    if (start) {
      start.addEventListener("submit", function (event) {
        event.preventDefault();
        submitForm(start);
      });
    }
    body.querySelectorAll("[data-chat-new]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        remember(isOpen() ? "open" : "");
        load(link.getAttribute("href"), true);
      });
    });
    var element = body.querySelector("[data-chat-live]");
    if (element) {
      begin(element);
    } else {
      remember(isOpen() ? "open" : "");
    }
    if (!focusInside) {
      return;
    }
    var target = body.querySelector("[data-chat-focus]") || (live && live.input) ||
      body.querySelector("input:not([type=hidden]), select, textarea");
    if (target) {
      target.focus();
    }
  }

  function submitForm(form) {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    request(form.getAttribute("action"), {method: "POST", body: new FormData(form)}).then(function (response) {
      return response.text();
    }).then(function (html) {
      show(html, true);
    }).catch(function () {
      if (button) {
        button.disabled = false;
      }
      window.alert(say("error"));
    });
  }

  // ---------------------------------------------------------------------------------------------- a live chat

  function begin(element) {
    live = {
      element: element,
      log: element.querySelector("[data-chat-log]"),
      scroller: element.querySelector("[data-chat-scroll]"),
      status: element.querySelector("[data-chat-status]"),
      composer: element.querySelector("[data-chat-composer]"),
      input: element.querySelector("[data-chat-input]"),
      error: element.querySelector("[data-chat-error]"),
      lastSeq: parseInt(element.getAttribute("data-last-seq"), 10) || 0,
      source: null,
      pollTimer: null,
      pending: {},
      over: element.getAttribute("data-status") === "ended" || element.getAttribute("data-blocked") === "1"
    };
    scrollDown();
    if (live.over) {
      remember(isOpen() ? "open" : "");
      return;
    }
    remember(isOpen() ? "live-open" : "live");
    if (live.composer) {
      live.composer.addEventListener("submit", function (event) {
        event.preventDefault();
        var value = live.input.value.trim();
        if (value) {
          live.input.value = "";
          send(value);
        }
      });
      live.input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          live.composer.requestSubmit();
        }
      });
    }
    var end = element.querySelector("[data-chat-end]");
    if (end) {
      end.addEventListener("submit", function (event) {
        event.preventDefault();
        request(end.getAttribute("action"), {method: "POST", body: new FormData(end)}).then(function () {
          load(root.getAttribute("data-panel-url"), true);
        });
      });
    }
    connect();
  }

  function stop() {
    if (!live) {
      return;
    }
    if (live.source) {
      live.source.close();
    }
    window.clearInterval(live.pollTimer);
    live = null;
  }

  function connect() {
    var chat = live;
    if (!window.EventSource) {
      poll(chat);
      return;
    }
    var url = root.getAttribute("data-events-url") + "?after=" + chat.lastSeq;
    var source = new window.EventSource(url);
    var ready = false;
    chat.source = source;
    source.addEventListener("ready", function () {
      ready = true;
      window.clearInterval(chat.pollTimer);
      chat.pollTimer = null;
    });
    source.addEventListener("chat", function (event) {
      handle(chat, JSON.parse(event.data));
    });
    source.addEventListener("position", function (event) {
      position(chat, JSON.parse(event.data).position);
    });
    source.addEventListener("error", function () {
      if (source.readyState === window.EventSource.CLOSED) {
        chat.source = null;
        poll(chat);  // 204 (no push on this server), or a refusal: poll instead
      }
    });
    window.setTimeout(function () {
      if (!ready && live === chat && chat.source === source) {
        source.close();  // nothing came through (a buffering proxy): poll instead
        chat.source = null;
        poll(chat);
      }
    }, 5000);
  }

  function poll(chat) {
    if (chat.pollTimer || chat.over) {
      return;
    }
    var busy = false;
    chat.pollTimer = window.setInterval(function () {
      if (busy) {
        return;
      }
      busy = true;
      request(root.getAttribute("data-poll-url") + "?after=" + chat.lastSeq).then(function (response) {
        return response.json();
      }).then(function (data) {
        busy = false;
        (data.events || []).forEach(function (event) {
          handle(chat, event);
        });
        if (data.state && data.state.status === "waiting") {
          position(chat, data.state.position);
        }
      }).catch(function () {
        busy = false;
      });
    }, 1000);
  }

  function position(chat, place) {
    if (chat.over || chat.answered || !place) {
      return;
    }
    chat.status.textContent = say("position", {n: place});
  }

  function handle(chat, event) {
    if (event.seq <= chat.lastSeq) {
      return;
    }
    chat.lastSeq = event.seq;
    if (event.kind === "message") {
      var mine = event.from === "resident" && chat.pending[event.id];
      if (mine) {
        confirm(chat, event.id);
      } else if (!chat.log.querySelector('[data-id="' + CSS.escape(String(event.id)) + '"]')) {
        append(chat, event.from, event.name, event.text, event.id);
        if (!isOpen() && event.from !== "resident") {
          toggle.textContent = say("new");
        }
      }
    } else if (event.kind === "accepted" || event.kind === "transferred") {
      chat.answered = true;
      chat.status.textContent = event.agent ? say("answering", {name: event.agent}) : say("answering-anonymous");
    } else if (event.kind === "ended" || event.kind === "blocked") {
      finish(chat, event.kind === "blocked" ? say("blocked") : say("ended"));
    }
  }

  function finish(chat, sentence) {
    chat.over = true;
    chat.status.textContent = sentence;
    if (chat.source) {
      chat.source.close();
    }
    window.clearInterval(chat.pollTimer);
    remember(isOpen() ? "open" : "");
    window.setTimeout(function () {
      if (live === chat) {
        load(root.getAttribute("data-panel-url"), false);  // the ended chat's page: no composer, "start a new chat"
      }
    }, 1500);
  }

  function append(chat, from, name, text, id) {
    var item = document.createElement("li");
    item.className = "cd-chat__message cd-chat__message--" + from;
    item.setAttribute("data-id", id);
    var who = document.createElement("span");
    who.className = "cd-chat__who";
    who.textContent = from === "resident" ? say("you") : (from === "system" ? say("automatic") : (name || say("agent")));
    var words = document.createElement("span");
    words.className = "cd-chat__text";
    words.textContent = text;
    item.appendChild(who);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(words);
    chat.log.appendChild(item);
    scrollDown();
    return item;
  }

  function scrollDown() {
    if (live && live.scroller) {
      live.scroller.scrollTop = live.scroller.scrollHeight;
    }
  }

  function showError(chat, message) {
    chat.error.textContent = message;
    chat.error.hidden = !message;
  }

  function send(text) {
    var chat = live;
    var id = uuid();
    var item = append(chat, "resident", "", text, id);
    item.classList.add("cd-chat__message--pending");
    chat.pending[id] = {text: text, item: item, tries: 0};
    showError(chat, "");
    attempt(chat, id);
  }

  function attempt(chat, id) {
    var entry = chat.pending[id];
    if (!entry || live !== chat) {
      return;
    }
    entry.tries += 1;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", chat.composer.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("id", id);
    data.append("text", entry.text);
    request(chat.composer.getAttribute("action"), {method: "POST", body: data}).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) {
          confirm(chat, id);
          if (answer.seq === chat.lastSeq + 1) {
            chat.lastSeq = answer.seq;  // our own message: the stream's copy is then skipped
          }
        } else if (response.status === 429 || response.status >= 500) {
          var wait = parseInt(response.headers.get("Retry-After"), 10) || 2;
          showError(chat, answer.error || say("not-sent"));
          window.setTimeout(function () { attempt(chat, id); }, wait * 1000);
        } else {
          refused(chat, id, answer.error || say("error"));
        }
      });
    }).catch(function () {
      showError(chat, say("not-sent"));
      window.setTimeout(function () { attempt(chat, id); }, Math.min(10, entry.tries * 2) * 1000);
    });
  }

  function confirm(chat, id) {
    var entry = chat.pending[id];
    if (!entry) {
      return;
    }
    delete chat.pending[id];
    entry.item.classList.remove("cd-chat__message--pending");
    if (!Object.keys(chat.pending).length) {
      showError(chat, "");
    }
  }

  function refused(chat, id, message) {
    var entry = chat.pending[id];
    delete chat.pending[id];
    if (entry) {
      entry.item.remove();
      if (!chat.input.value) {
        chat.input.value = entry.text;  // back in the box, to shorten or send later
      }
    }
    showError(chat, message);
    chat.input.focus();
  }

  // ---------------------------------------------------------------------------------------------- start-up

  toggle.hidden = false;
  toggle.addEventListener("click", function () { open(false); });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  var state = remembered();
  if (state === "live" || state === "live-open" || state === "open") {
    if (state !== "live") {
      open(true);
    } else {
      load(root.getAttribute("data-panel-url"), false);
    }
  }
})();
