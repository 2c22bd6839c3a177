/* Staff pages: live updates pushed by server-sent events, with the one-second HTMX poll as the fallback.
   The page's poller element (data-cd-poller) names its event stream in data-cd-events. While the stream is open
   the poller's timed requests are cancelled; on each "changed" event (and on every (re)connect, to cover the gap)
   the poller makes the same request once. After repeated failures the stream is closed and polling resumes, and
   the stream is tried again a minute later. While the stream is open the notification bell stops its 10-second
   poll too: it is asked on each change the stream reports, by the case page's presence heartbeat when the unread
   count that carries differs from the bell's (case.js), and elsewhere at most once a minute. An idle tab then
   costs at most one light request every 10 seconds (bench/bench_idle_tab.py). No inline JS (CSP). */
(function () {
  "use strict";
  var MAX_FAILURES = 3;
  var RETRY_LATER_MS = 60000;
  var BELL_PUSHED_MS = 60000; // the bell's own poll while the stream is open (changes ask it at once)
  var BELL_ID = "notification-poller";
  var first = document.querySelector("[data-cd-poller][data-cd-events]");
  if (!first || !window.EventSource || !window.htmx) {
    return; // no stream: htmx keeps polling every second
  }
  var pollerId = first.id;
  var url = first.getAttribute("data-cd-events");
  var source = null;
  var connected = false;
  var failures = 0;
  var missed = false;
  var bellAskedAt = 0;
  var beating = !!document.querySelector("[data-cd-presence]"); // the case page's heartbeat carries the count

  function poller() {
    return document.getElementById(pollerId);
  }

  function refresh(event) {
    var elt = poller();
    if (!elt) {
      return;
    }
    if (document.hidden) {
      missed = true; // refreshed when the tab is shown again
      return;
    }
    missed = false;
    if (event && event.type === "changed") {
      document.body.dispatchEvent(new window.CustomEvent("cd-changed")); // other live parts (the notification count)
    }
    elt.cdPushed = true; // let this one request through, even if htmx queues it behind one in flight
    window.htmx.ajax("GET", elt.getAttribute("hx-get"), {source: elt, target: elt, swap: "outerHTML"});
  }

  function connect() {
    source = new window.EventSource(url);
    source.addEventListener("open", function () {
      connected = true;
      failures = 0;
      document.documentElement.setAttribute("data-cd-live", "push");
      refresh();
    });
    source.addEventListener("changed", refresh);
    source.addEventListener("error", function () {
      connected = false;
      document.documentElement.setAttribute("data-cd-live", "poll");
      failures += 1;
      if (source.readyState === window.EventSource.CLOSED || failures >= MAX_FAILURES) {
        source.close();
        window.setTimeout(function () { failures = 0; connect(); }, RETRY_LATER_MS);
      }
    });
  }

  function bellRequest(event) {
    // A request some event asked for (a change, a stale count) goes; the bell's timed poll waits while pushed.
    var asked = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var now = Date.now();
    if (connected && !asked && (beating || now - bellAskedAt < BELL_PUSHED_MS)) {
      event.preventDefault();
      return;
    }
    bellAskedAt = now;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.id === BELL_ID) {
      bellRequest(event);
      return;
    }
    if (!elt || elt.id !== pollerId) {
      return;
    }
    if (elt.cdPushed) {
      elt.cdPushed = false;
    } else if (connected) {
      event.preventDefault(); // the stream says when to ask
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && missed && connected) {
      refresh({type: "changed"});
    }
  });
  window.addEventListener("pagehide", function () {
    if (source) {
      source.close();
    }
  });
  connect();
})();
