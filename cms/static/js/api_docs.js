// Starts Swagger UI on the API docs page (cms/api/docs.py): a file, not an inline script,
// so that the page's policy allows scripts from the site only.
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    // The public reads take no credentials: nothing to authorize yet.
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
