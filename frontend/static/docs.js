// Starts Swagger UI on /docs. A file of its own, so that the page needs no inline script
// under the portal's Content-Security-Policy (script-src 'self').
(function () {
  "use strict";
  var el = document.getElementById("ui");
  if (!el || typeof window.SwaggerUIBundle !== "function") return;
  el.textContent = "";
  window.SwaggerUIBundle({
    domNode: el,
    url: el.getAttribute("data-spec-url"),
    deepLinking: true,
    // The badge would ask a validator on the internet about the document.
    validatorUrl: null,
  });
})();
