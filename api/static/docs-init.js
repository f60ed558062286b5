// Starts Swagger UI on the docs page; kept out of the HTML so the CSP needs no inline script.
// The document's URL comes from the page, so the docs work wherever the API is mounted.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    // 62 operations, lists with up to 200 filters: the schema section and a full expansion would cost the
    // browser seconds and a gigabyte; operations open on demand, and the filter box finds one by tag.
    docExpansion: "list",
    defaultModelsExpandDepth: -1,
    filter: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
