// Progressive enhancement only: every page works without this file.
// - Focus on a form's error summary, so that it is read first and the links to the
//   fields are one Tab away.
// - Type-ahead suggestions on inputs marked data-suggest, place suggestions on inputs
//   marked data-places.
// - "Use my location" buttons (data-locate, hidden without script): the browser's
//   position into the place field named by data-locate, then the form is sent.
// - Maps (Leaflet, loaded from this server on demand) on elements marked data-map.
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

  function draw(el) {
    var pts = points(el);
    if (!pts.length) return;
    loadLeaflet(el).then(function (L) {
      el.classList.add("map-ready");
      // Named as a map only now that there is one: without script the element stays
      // an empty, hidden div with nothing to announce.
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", el.getAttribute("data-map-label") || "Map");
      var map = L.map(el, { scrollWheelZoom: false });
      L.tileLayer(el.getAttribute("data-tiles"), {
        maxZoom: 19,
        attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a>"
      }).addTo(map);
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
    }).catch(function () {});
  }

  Array.prototype.forEach.call(maps, function (el) {
    if (el.hasAttribute("data-map-on-demand")) {
      // Results pages: the map (and Leaflet) load only when asked for, keeping the
      // first page load small.
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = el.getAttribute("data-button-label") || "Map";
      button.addEventListener("click", function () {
        button.remove();
        draw(el);
      });
      el.parentNode.insertBefore(button, el);
    } else {
      draw(el);
    }
  });
})();
