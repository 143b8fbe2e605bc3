// Progressive enhancement only: every page works without this file.
// - Search suggestions while typing (type-ahead) on inputs marked data-suggest.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(inputs, function (input, n) {
    var list = document.createElement("datalist");
    list.id = "suggest-" + n;
    input.setAttribute("list", list.id);
    input.parentNode.appendChild(list);
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || q === last) return;
      timer = setTimeout(function () {
        last = q;
        fetch("/api/v1/search/suggest?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
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
})();
