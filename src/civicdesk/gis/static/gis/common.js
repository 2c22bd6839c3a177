// Shared map setup for CivicDesk pages: base layer (tiles when configured, else the city's own streets, parks and
// places from /places/basemap.geojson with a legend) and bounds.
(function () {
  "use strict";
  // Django's JavaScript catalogue (/jsi18n/) defines these in the page's language; English if it did not load.
  window.gettext = window.gettext || function (text) { return text; };
  window.ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  window.interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (m, key) { return String(obj[key]); });
  };

  var STREETS = {
    motorway: { color: "#a23b22", weight: 6 }, primary: { color: "#c05621", weight: 5 },
    secondary: { color: "#c99700", weight: 3.5 }, residential: { color: "#8d98a5", weight: 2 },
    service: { color: "#a9b4c0", weight: 1.5 }, path: { color: "#4d8055", weight: 1.5, dashArray: "4 4" }
  };
  var AREAS = {
    park: { color: "#4d8055", fillColor: "#b9dcb4" }, water: { color: "#2e6f9e", fillColor: "#a8d0ec" },
    other: { color: "#8a6d9e", fillColor: "#e2d5ea" }
  };
  var DOTS = { park: "#2f6b3a", water: "#1f5f8b", school: "#6b3f8a", library: "#6b3f8a", civic: "#6b3f8a",
               landmark: "#7a4b00", other: "#4a4a4a" };

  var FAR_LABELS = ["civic", "library", "park"];  // the places labelled when zoomed out

  function bounds(el) {
    var b = (el.getAttribute("data-bounds") || "").split(",").map(Number);
    if (b.length !== 4 || b.some(isNaN)) { return null; }
    return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }

  function addLegend(map, holder) {
    var legend;
    try { legend = JSON.parse(holder.getAttribute("data-basemap-legend") || "null"); } catch (e) { legend = null; }
    if (!legend) { return null; }
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var details = L.DomUtil.create("details", "gis-legend gis-basemap-legend");
      details.setAttribute("data-gis-legend", "");
      // open on wide, tall maps; a closed "Map key" button elsewhere, so the key never hides a small map
      if (map.getContainer().clientHeight >= 400 && window.matchMedia &&
          window.matchMedia("(min-width: 40em)").matches) { details.open = true; }
      var summary = L.DomUtil.create("summary", "", details);
      summary.textContent = legend.title;
      var list = L.DomUtil.create("ul", "gis-legend__list", details);
      legend.entries.forEach(function (entry) {
        var item = L.DomUtil.create("li", "", list);
        var swatch = L.DomUtil.create("span", "gis-key gis-key--" + entry.shape + " gis-key--" + entry.key, item);
        swatch.setAttribute("aria-hidden", "true");
        item.appendChild(document.createTextNode(entry.label));
      });
      L.DomEvent.disableClickPropagation(details);
      L.DomEvent.disableScrollPropagation(details);
      return details;
    };
    return control.addTo(map);
  }

  // The city's own base map: streets by class, park/water/building areas and place labels, fetched for the view
  // (the server snaps the box to a grid and caches each answer) and redrawn after each move.
  function addBaseLayer(map, holder) {
    var url = holder.getAttribute("data-basemap-url");
    if (!url) { return null; }
    map.createPane("basemap");
    map.getPane("basemap").style.zIndex = 250;
    var renderer = L.canvas({ pane: "basemap" });
    var group = L.layerGroup().addTo(map);
    var cache = {};
    var timer = null;
    var shown = "";

    function draw(data) {
      group.clearLayers();
      var areas = [], streets = [], places = [];
      data.features.forEach(function (f) {
        var layer = f.properties.layer;
        (layer === "area" ? areas : layer === "street" ? streets : places).push(f);
      });
      L.geoJSON({ type: "FeatureCollection", features: areas }, {
        renderer: renderer, pane: "basemap", interactive: false,
        style: function (f) {
          var s = AREAS[f.properties.kind] || AREAS.other;
          return { color: s.color, weight: 1, fillColor: s.fillColor, fillOpacity: 0.9 };
        }
      }).addTo(group);
      L.geoJSON({ type: "FeatureCollection", features: streets }, {
        renderer: renderer, pane: "basemap",
        style: function (f) {
          var s = STREETS[f.properties.class] || STREETS.residential;
          return { color: s.color, weight: s.weight, dashArray: s.dashArray || null, lineCap: "round", opacity: 1 };
        },
        onEachFeature: function (f, l) { if (f.properties.name) { l.bindTooltip(f.properties.name, { sticky: true }); } }
      }).addTo(group);
      var zoom = map.getZoom();
      places.forEach(function (f) {
        var c = f.geometry.coordinates;
        var marker = L.circleMarker([c[1], c[0]], {
          renderer: renderer, pane: "basemap", radius: 3.5, weight: 1, color: "#fff",
          fillColor: DOTS[f.properties.kind] || DOTS.other, fillOpacity: 1, interactive: false
        });
        if (zoom >= 14 || FAR_LABELS.indexOf(f.properties.kind) >= 0) {
          marker.bindTooltip(f.properties.name, { permanent: true, direction: "right", offset: [4, 0],
                                                  className: "gis-place-label" });
        }
        marker.addTo(group);
      });
    }

    function refresh() {
      var zoom = Math.round(map.getZoom());
      var b = map.getBounds().pad(0.3);
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(4); });
      var key = zoom + ":" + bbox.join(",");
      if (key === shown) { return; }
      if (cache[key]) { shown = key; draw(cache[key]); return; }
      fetch(url + "&zoom=" + zoom + "&bbox=" + bbox.join(","), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          cache[key] = data;
          shown = key;
          draw(data);
        })
        .catch(function () { /* the map still works without its streets */ });
    }
    map.on("moveend zoomend", function () { clearTimeout(timer); timer = setTimeout(refresh, 120); });
    map.whenReady(refresh);
    addLegend(map, holder);
    return group;
  }

  function createMap(container, holder) {
    var map = L.map(container, { preferCanvas: true, keyboard: true, zoomSnap: 0.5, maxZoom: 19, zoomControl: false });
    // Leaflet's own words, in the page's language (served by /jsi18n/).
    L.control.zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(map);
    var credit = document.createElement("a");
    credit.href = "https://leafletjs.com";
    credit.title = gettext("A JavaScript library for interactive maps");
    credit.textContent = "Leaflet";
    map.attributionControl.setPrefix(credit.outerHTML);
    var tileUrl = holder.getAttribute("data-tile-url");
    var b = bounds(holder);
    if (b) { map.fitBounds(b); } else { map.setView([0, 0], 2); }
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: holder.getAttribute("data-tile-attribution") || "" }).addTo(map);
    } else {
      container.classList.add("gis-map--plain");
      addBaseLayer(map, holder);
    }
    return map;
  }

  function loadBoundaries(map, holder, type) {
    var url = holder.getAttribute("data-areas-url");
    if (!url) { return Promise.resolve(null); }
    var plain = !holder.getAttribute("data-tile-url");
    var labelled = "";  // one type of area is labelled: the first non-jurisdiction type in display order (wards)
    var layer = L.geoJSON(null, {
      style: function (f) {
        var city = f.properties.jurisdiction;  // colours come from the area types (admin: Area types)
        return { color: f.properties.colour || "#565c65", weight: city ? 3 : 1.5, fill: false, dashArray: city ? null : "4 3" };
      },
      onEachFeature: function (f, l) {
        var text = f.properties.type_name + ": " + f.properties.name;
        if (plain && f.properties.type === labelled) {  // labelled boundaries on the city's own base map
          l.bindTooltip(f.properties.name, { permanent: true, direction: "center", className: "gis-area-label" });
        } else {
          l.bindTooltip(text, { sticky: true });
        }
      }
    });
    return fetch(url + (type ? "?type=" + encodeURIComponent(type) : ""), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var zones = data.features.filter(function (f) { return !f.properties.jurisdiction; });
        zones.sort(function (a, b) { return (a.properties.order || 0) - (b.properties.order || 0); });
        labelled = zones.length ? zones[0].properties.type : "";  // the first type in the admin's display order
        layer.addData(data);
        return layer;
      });
  }

  // Cluster icons (leaflet.markercluster) as buttons with a spoken name: "Group of 12 requests. Zoom in."
  var ClusterIcon = null;

  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var inner = document.createElement("div");
    var number = document.createElement("span");
    number.textContent = String(count);
    number.setAttribute("aria-hidden", "true");
    inner.appendChild(number);
    ClusterIcon = ClusterIcon || L.DivIcon.extend({
      createIcon: function (old) {
        var div = L.DivIcon.prototype.createIcon.call(this, old);
        div.setAttribute("aria-label", this.options.label);
        div.setAttribute("title", this.options.label);
        return div;
      }
    });
    return new ClusterIcon({
      html: inner, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40),
      label: interpolate(ngettext("Group of %(count)s request. Zoom in.", "Group of %(count)s requests. Zoom in.", count),
                         { count: count }, true)
    });
  }

  // Markers and clusters by keyboard. Leaflet makes marker icons focusable buttons, but only Enter (keypress)
  // opens a popup, the popup sits after every other marker in the tab order, Escape works only while the map itself
  // has the focus, and cluster icons do nothing. Here Enter and Space open a marker's popup and move the focus into
  // it, Escape closes it and gives the focus back to the marker, and Enter or Space on a cluster zooms into it
  // (or spreads it out at the deepest zoom), then focuses the first marker inside.
  function keyboardPopups(map, group, say) {
    var opener = null;
    var container = map.getContainer();
    function activate(e) { return e.key === "Enter" || e.key === " " || e.key === "Spacebar"; }
    function iconOwner(target) {
      var found = null;
      group.eachLayer(function (layer) { if (!found && layer._icon === target) { found = layer; } });
      if (!found && group._featureGroup) {
        group._featureGroup.eachLayer(function (layer) { if (!found && layer._icon === target) { found = layer; } });
      }
      return found;
    }
    container.addEventListener("keydown", function (e) {
      var target = e.target;
      if (e.key === "Escape" || e.key === "Esc") {
        if (map._popup && map.hasLayer(map._popup)) {
          e.preventDefault();
          e.stopPropagation();
          var back = opener;
          map.closePopup();
          if (back && back._icon) { back._icon.focus(); }
        }
        return;
      }
      if (!activate(e) || !target.classList || !target.classList.contains("leaflet-marker-icon")) { return; }
      var layer = iconOwner(target);
      if (!layer) { return; }
      e.preventDefault();  // no scrolling on Space, and no keypress: Leaflet would open (or close) the popup again
      if (layer.getChildCount) {  // a cluster
        var bounds = layer.getBounds();
        if (map.getZoom() >= map.getMaxZoom() || bounds.getNorthEast().equals(bounds.getSouthWest())) {
          layer.spiderfy();
          focusFirstIn(bounds);
        } else {
          map.once("moveend", function () { setTimeout(function () { focusFirstIn(bounds); }, 400); });
          layer.zoomToBounds({ padding: [20, 20] });
        }
        say(interpolate(ngettext("Zoomed in to a group of %(count)s request.", "Zoomed in to a group of %(count)s requests.",
                                 layer.getChildCount()), { count: layer.getChildCount() }, true));
      } else if (layer.getPopup && layer.getPopup()) {
        layer.openPopup();
      }
    });

    function focusFirstIn(bounds) {  // a marker inside, else a smaller group inside
      var first = null, cluster = null;
      group._featureGroup.eachLayer(function (layer) {
        if (!layer._icon || !bounds.pad(0.1).contains(layer.getLatLng())) { return; }
        if (layer.getChildCount) { cluster = cluster || layer; } else { first = first || layer; }
      });
      if (first || cluster) { (first || cluster)._icon.focus(); }
    }

    map.on("popupopen", function (e) {
      opener = e.popup._source || null;
      var popup = e.popup.getElement();
      if (!popup) { return; }
      var content = popup.querySelector(".leaflet-popup-content");
      var close = popup.querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", gettext("Close")); close.setAttribute("title", gettext("Close")); }
      if (content) {
        content.setAttribute("tabindex", "-1");
        content.setAttribute("role", "group");
        content.setAttribute("aria-label", opener && opener.options.title ? opener.options.title : gettext("Details"));
      }
      // the focus goes into the popup when it was opened from the keyboard (the marker had the focus)
      if (opener && opener._icon && document.activeElement === opener._icon) {
        var link = popup.querySelector(".leaflet-popup-content a");
        (link || content || popup).focus();
      }
    });
    map.on("popupclose", function (e) {
      var popup = e.popup.getElement();
      var source = e.popup._source;
      if (popup && popup.contains(document.activeElement) && source && source._icon) { source._icon.focus(); }
      opener = null;
    });
  }
  window.CivicDeskMap = { createMap: createMap, loadBoundaries: loadBoundaries, addBaseLayer: addBaseLayer,
                          addLegend: addLegend, clusterIcon: clusterIcon, keyboardPopups: keyboardPopups };
})();
