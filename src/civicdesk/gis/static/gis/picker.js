// The location pin picker and the "Is it one of these?" prompt on request forms (inputs lat, lon, address).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var holder = document.querySelector("[data-gis-picker]");
    if (!holder || !window.L || !window.CivicDeskMap) { return; }
    var form = holder.closest("form") || document;
    var latInput = form.querySelector("input[name=lat]");
    var lonInput = form.querySelector("input[name=lon]");
    var nearbyBox = document.getElementById("nearby-duplicates");
    var status = holder.querySelector("[data-gis-status]");
    if (!latInput || !lonInput) { return; }
    holder.hidden = false;
    var map = window.CivicDeskMap.createMap(document.getElementById("gis-picker-map"), holder);
    window.CivicDeskMap.loadBoundaries(map, holder, "jurisdiction").then(function (layer) { if (layer) { layer.addTo(map); } });
    var marker = null;
    var timer = null;

    function say(text) { if (status) { status.textContent = text; } }

    function checkNearby(lat, lon) {
      var service = holder.getAttribute("data-service");
      if (!nearbyBox || !service) { return; }
      var url = holder.getAttribute("data-nearby-url") + "?service=" + encodeURIComponent(service) +
        "&lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon);
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          nearbyBox.innerHTML = html;
          if (window.htmx) { window.htmx.process(nearbyBox); }
          if (html.trim()) { say(gettext("Some open requests nearby may be the same problem. They are listed below the map.")); }
        });
    }

    var addressInput = form.querySelector("input[name=address]");
    var nearestUrl = holder.getAttribute("data-nearest-url");
    var asked = 0;

    function fillNearest(lat, lon) {
      if (!nearestUrl || !addressInput) { return; }
      var ticket = ++asked;
      fetch(nearestUrl + "?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (ticket !== asked || !data) { return; }
          if (data.address) {
            addressInput.value = data.address.label;
            say((holder.getAttribute("data-text-nearest") || "%s").replace("%s", data.address.label));
          } else if (data.street) {
            addressInput.value = data.street.name;
            say((holder.getAttribute("data-text-street") || "%s").replace("%s", data.street.name));
          } else {
            say(holder.getAttribute("data-text-pin") || "");
          }
        })
        .catch(function () { /* the address box stays as it was */ });
    }

    function place(latlng, fromInputs, keepAddress) {
      var lat = latlng.lat.toFixed(6), lon = latlng.lng.toFixed(6);
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: gettext("Location of the problem"), alt: gettext("Pin") }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), false); });
      } else {
        marker.setLatLng(latlng);
      }
      if (!fromInputs) {
        latInput.value = lat;
        lonInput.value = lon;
        say(interpolate(gettext("Pin placed at latitude %(lat)s, longitude %(lon)s."), { lat: lat, lon: lon }, true));
        if (!keepAddress) { fillNearest(lat, lon); }
      }
      checkNearby(lat, lon);
    }

    function clearPin() {
      if (marker) { map.removeLayer(marker); marker = null; }
      latInput.value = "";
      lonInput.value = "";
      if (nearbyBox) { nearbyBox.innerHTML = ""; }
      say(gettext("Pin removed."));
    }

    function fromInputs() {
      var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      if (isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        place(L.latLng(lat, lon), true);
        map.panTo([lat, lon]);
      }
    }

    map.on("click", function (e) { place(e.latlng, false); });
    form.addEventListener("civicdesk:place-chosen", function (e) {
      var latlng = L.latLng(e.detail.lat, e.detail.lon);
      asked++;  // a nearest-address answer still on its way must not overwrite the choice
      place(latlng, false, true);
      map.setView(latlng, Math.max(map.getZoom(), 16));
    });
    holder.querySelector("[data-gis-pin-center]").addEventListener("click", function () { place(map.getCenter(), false); });
    holder.querySelector("[data-gis-pin-clear]").addEventListener("click", clearPin);
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(fromInputs, 500); });
    });
    fromInputs();
  });
})();
