/* The API docs page: Swagger UI from the bundle django-ninja ships (served as our static file), with the settings
   the server put in #swagger-settings. "Try it out" runs as the signed-in staff session: every request carries the
   CSRF token (read from the csrftoken cookie at the time of the request, so a new sign-in's token is used). */
(function () {
  "use strict";
  var element = document.getElementById("swagger-settings");
  if (!element || !window.SwaggerUIBundle) {
    return;
  }
  var config = JSON.parse(element.textContent);

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : document.body.getAttribute("data-csrf-token");
  }

  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset];
  config.syntaxHighlight = {activated: false}; // plain, high-contrast response bodies
  config.requestInterceptor = function (request) {
    var token = csrfToken();
    if (token) {
      request.headers["X-CSRFToken"] = token;
    }
    return request;
  };
  window.SwaggerUIBundle(config);

  // Swagger UI draws parameter and body fields, and its copy buttons, without names: name each as it is drawn.
  function labelFields(root) {
    var copy = root.querySelectorAll(".copy-to-clipboard button:not([aria-label])");
    Array.prototype.forEach.call(copy, function (button) {
      button.setAttribute("aria-label", "Copy to the clipboard");
    });
    var fields = root.querySelectorAll("input:not([aria-label]):not([type=hidden]), select:not([aria-label]), " +
                                       "textarea:not([aria-label])");
    Array.prototype.forEach.call(fields, function (field) {
      if (field.labels && field.labels.length) {
        return;
      }
      var row = field.closest("tr[data-param-name]");
      var name = row ? row.getAttribute("data-param-name") + " (" + row.getAttribute("data-param-in") + ")"
        : field.classList.contains("body-param__text") ? "Request body" : field.getAttribute("placeholder");
      if (name) {
        field.setAttribute("aria-label", name);
      }
    });
  }

  var root = document.getElementById("swagger-ui");
  new window.MutationObserver(function () { labelFields(root); }).observe(root, {childList: true, subtree: true});
})();
