// Swagger UI for /api/schema/, started from this file (no inline script: the portal's CSP is 'self' only).
// Writes from "Try it out" carry the session's CSRF token, as the pages' forms do.
(function () {
  "use strict";
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      var method = (request.method || "GET").toUpperCase();
      if (["GET", "HEAD", "OPTIONS"].indexOf(method) === -1 && !request.headers.Authorization) {
        request.headers["X-CSRFToken"] = cookie("csrftoken");
      }
      return request;
    },
  });
})();
