/* SMS segments as the composer's agent types: the same rules as channels/sms_segments.py (a test runs both on the
   same samples). GSM-7: basic set 1 septet, extension set (^ { } [ ] ~ | \ € form feed) 2; 160 in one message, 153
   a part. Anything else: UCS-2, 70 UTF-16 units in one message, 67 a part. A character never straddles two parts.
   The counter's sentences come translated in data attributes ({segments}, {encoding}, {characters}, {max}).
   No inline JS (CSP). */
(function (root) {
  "use strict";

  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "\f^{}\\[~]|€";
  var LIMITS = {"GSM-7": [160, 153], "UCS-2": [70, 67]};

  function count(text) {
    var chars = Array.from(text || ""); // code points: an emoji is one character here
    var gsm = chars.every(function (ch) { return BASIC.indexOf(ch) >= 0 || EXTENSION.indexOf(ch) >= 0; });
    var encoding = gsm ? "GSM-7" : "UCS-2";
    var sizes = chars.map(function (ch) {
      if (gsm) { return EXTENSION.indexOf(ch) >= 0 ? 2 : 1; }
      return ch.codePointAt(0) > 0xFFFF ? 2 : 1;
    });
    var total = sizes.reduce(function (a, b) { return a + b; }, 0);
    var single = LIMITS[encoding][0], part = LIMITS[encoding][1];
    if (total === 0) { return {encoding: encoding, segments: 0, units: 0, characters: 0, remaining: single}; }
    if (total <= single) {
      return {encoding: encoding, segments: 1, units: total, characters: chars.length, remaining: single - total};
    }
    var segments = 1, used = 0;
    sizes.forEach(function (size) {
      if (used + size > part) { segments += 1; used = 0; }
      used += size;
    });
    return {encoding: encoding, segments: segments, units: total, characters: chars.length, remaining: part - used};
  }

  root.cdSmsSegments = {count: count};
  if (typeof module !== "undefined" && module.exports) { module.exports = {count: count}; }
  if (typeof document === "undefined") { return; }

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function update(counter) {
    var form = counter.closest("form");
    var area = form && form.querySelector("[data-cd-composer-text]");
    if (!area) { return; }
    var result = count(area.value.replace(/\r\n/g, "\n"));
    var max = parseInt(counter.getAttribute("data-max") || "1600", 10);
    var warnAt = parseInt(counter.getAttribute("data-warn-at") || "10", 10);
    var values = {segments: result.segments, encoding: result.encoding, characters: result.characters.toLocaleString(),
                  max: max.toLocaleString()};
    var line = counter.querySelector("[data-cd-sms-line]");
    line.textContent = fill(counter.getAttribute(result.segments === 1 ? "data-one" : "data-other"), values);
    var over = counter.querySelector("[data-cd-sms-over]");
    var long = counter.querySelector("[data-cd-sms-long]");
    var tooLong = result.characters > max;
    over.hidden = !tooLong;
    over.querySelector("p").textContent = fill(over.getAttribute("data-template"), values);
    var warn = !tooLong && result.segments >= warnAt;
    long.hidden = !warn;
    long.querySelector("[data-cd-sms-long-text]").textContent = fill(long.getAttribute("data-template"), values);
    var confirm = long.querySelector("input[type=checkbox]");
    var mode = form.querySelector("input[name=mode]:checked");
    var replying = !mode || mode.value !== "note"; // a note is not texted: nothing to confirm
    confirm.required = warn && replying; // the browser stops the send until the agent ticks it
    confirm.disabled = !warn;
    // Screen readers hear the count when the segments, the encoding or a warning change, not at every key.
    var status = counter.querySelector("[data-cd-sms-status]");
    var said = [result.segments, result.encoding, tooLong, warn].join("|");
    if (status && status.getAttribute("data-said") !== said) {
      status.setAttribute("data-said", said);
      status.textContent = tooLong ? over.querySelector("p").textContent : line.textContent;
    }
  }

  function updateAll() {
    document.querySelectorAll("[data-cd-sms-counter]").forEach(update);
  }

  function changed(event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-cd-composer-text], input[name=mode]")) {
      var form = target.closest("form");
      var counter = form && form.querySelector("[data-cd-sms-counter]");
      if (counter) { update(counter); }
    }
  }

  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
  document.addEventListener("htmx:afterSwap", updateAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", updateAll);
  } else {
    updateAll();
  }
})(typeof window !== "undefined" ? window : globalThis);
