// Progressive enhancement only: every page works without this file.
// - Focus on a form's error summary, so that it is read first and the links to the
//   fields are one Tab away.
// - Type-ahead suggestions on inputs marked data-suggest, place suggestions on inputs
//   marked data-places.
// - "Use my location" buttons (data-locate, hidden without script): the browser's
//   position into the place field named by data-locate, then the form is sent.
// - The search page's filters opened beside the results on a wide screen.
// - Maps (Leaflet, loaded from this server) on elements marked data-map, each drawn
//   only when the resident asks for it.
(function () {
  "use strict";

  // --- Error summary -----------------------------------------------------------
  var summary = document.getElementById("error-summary");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  // --- Type-ahead -------------------------------------------------------------
  var inputs = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(inputs, function (input, n) {
    var list = document.createElement("datalist");
    list.id = "suggest-" + n;
    input.setAttribute("list", list.id);
    input.parentNode.appendChild(list);
    var timer = null;
    var last = "";
    var lang = document.documentElement.lang || "de";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || q === last) return;
      timer = setTimeout(function () {
        last = q;
        fetch("/api/v1/search/suggest?locale=" + lang + "&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) {
            list.textContent = "";
            (data.suggestions || []).slice(0, 8).forEach(function (s) {
              var o = document.createElement("option");
              o.value = s.name;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 200);
    });
  });

  // --- Filters ---------------------------------------------------------------
  // The search page's filters are a closed disclosure above the results, which on a
  // phone keeps the results first; on a wide screen they open as a column beside them.
  var refine = document.querySelector("details.refine");
  if (refine && window.matchMedia && window.matchMedia("(min-width: 44rem)").matches) refine.open = true;

  // --- Places ----------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("input[data-places]"), function (input, n) {
    var list = document.createElement("datalist");
    list.id = "places-" + n;
    input.setAttribute("list", list.id);
    input.parentNode.appendChild(list);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(function () {
        fetch("/api/v1/places?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { places: [] }; })
          .then(function (data) {
            list.textContent = "";
            (data.places || []).forEach(function (p) {
              var o = document.createElement("option");
              o.value = p.name;
              o.label = p.label;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 200);
    });
  });

  if ("geolocation" in navigator) {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-locate]"), function (button) {
      var field = document.getElementById(button.getAttribute("data-locate"));
      if (!field || !field.form) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        navigator.geolocation.getCurrentPosition(function (pos) {
          field.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
          var sort = field.form.elements.sort;
          if (sort) sort.value = "distance";
          field.form.submit();
        }, function () {
          button.disabled = false;
          var note = document.getElementById(button.getAttribute("data-locate-error"));
          if (note) note.hidden = false;
        }, { maximumAge: 60000, timeout: 15000 });
      });
    });
  }

  // --- Maps --------------------------------------------------------------------
  var maps = document.querySelectorAll("[data-map]");
  if (!maps.length) return;

  var loading = null;
  function loadLeaflet(el) {
    if (window.L) return Promise.resolve(window.L);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = el.getAttribute("data-leaflet-css");
      document.head.appendChild(css);
      var js = document.createElement("script");
      js.src = el.getAttribute("data-leaflet-js");
      js.onload = function () { resolve(window.L); };
      js.onerror = reject;
      document.head.appendChild(js);
    });
    return loading;
  }

  function points(el) {
    try { return JSON.parse(el.getAttribute("data-points") || "[]"); } catch (e) { return []; }
  }

  // Leaflet's own texts, in the page's language (the element carries them).
  function label(el, name, fallback) {
    return el.getAttribute("data-label-" + name) || fallback;
  }

  function draw(el) {
    var pts = points(el);
    if (!pts.length) return Promise.resolve(null);
    return loadLeaflet(el).then(function (L) {
      el.classList.add("map-ready");
      // Named as a map only now that there is one: without script the element stays
      // an empty, hidden div with nothing to announce.
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", el.getAttribute("data-map-label") || "Map");
      var map = L.map(el, { scrollWheelZoom: false, zoomControl: false });
      L.control.zoom({
        zoomInTitle: label(el, "zoom-in", "Zoom in"),
        zoomOutTitle: label(el, "zoom-out", "Zoom out")
      }).addTo(map);
      map.attributionControl.setPrefix("<a href=\"https://leafletjs.com\">Leaflet</a>");
      L.tileLayer(el.getAttribute("data-tiles"), {
        maxZoom: 19,
        attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">" +
          label(el, "attribution", "OpenStreetMap contributors").replace(/[<>&"]/g, "") + "</a>"
      }).addTo(map);
      map.on("popupopen", function (e) {
        var close = e.popup.getElement() && e.popup.getElement().querySelector(".leaflet-popup-close-button");
        if (close) close.setAttribute("aria-label", label(el, "close", "Close"));
      });
      var bounds = [];
      pts.forEach(function (p) {
        var m = L.circleMarker([p.lat, p.lng], { radius: 8, weight: 2 }).addTo(map);
        if (p.name) {
          var a = document.createElement("a");
          a.textContent = p.name;
          a.href = p.url || "#";
          m.bindPopup(a);
        }
        bounds.push([p.lat, p.lng]);
      });
      if (bounds.length === 1) map.setView(bounds[0], 17);
      else map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
      pickPlace(L, el, map);
      return map;
    }).catch(function () { return null; });
  }

  // A map inside a form with inputs marked data-pick="lat" and "lng" (the report
  // form) lets the resident point at a place: a click sets them and shows a marker.
  // Without JavaScript the form asks for the address instead.
  function pickPlace(L, el, map) {
    var form = el.closest("form");
    var lat = form && form.querySelector("[data-pick=lat]");
    var lng = form && form.querySelector("[data-pick=lng]");
    if (!lat || !lng) return;
    var hint = form.querySelector("[data-pick-hint]");
    if (hint) hint.hidden = false;
    var marker = null;
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lng.value = e.latlng.lng.toFixed(6);
      if (marker) marker.setLatLng(e.latlng);
      else marker = L.circleMarker(e.latlng, { radius: 10, weight: 3 }).addTo(map);
    });
  }

  // Every map loads (Leaflet, and the tiles from the tile server: a third party that
  // sees the resident's address) only when the resident asks for it. The button stays
  // where it is and keeps the focus; it shows and hides the map (aria-expanded).
  Array.prototype.forEach.call(maps, function (el, i) {
    if (!el.id) el.id = "map-" + (i + 1);
    var openLabel = el.getAttribute("data-button-label") || "Map";
    var hideLabel = el.getAttribute("data-hide-label") || openLabel;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "map-toggle";
    button.textContent = openLabel;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", el.id);
    var note = el.getAttribute("data-note") && document.getElementById(el.getAttribute("data-note"));
    if (note) {
      note.hidden = false;
      button.setAttribute("aria-describedby", note.id);
    }
    var map = null;
    var drawing = null;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      if (open) {
        el.hidden = true;
        button.setAttribute("aria-expanded", "false");
        button.textContent = openLabel;
        return;
      }
      el.hidden = false;
      button.setAttribute("aria-expanded", "true");
      button.textContent = hideLabel;
      if (map) {
        map.invalidateSize();
      } else if (!drawing) {
        drawing = draw(el).then(function (m) { map = m; });
      }
    });
    el.parentNode.insertBefore(button, el);
  });
})();
