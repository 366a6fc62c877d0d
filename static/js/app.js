// Small behaviours that need no framework. No inline script anywhere (CSP).
(function () {
  "use strict";
  // The layout's one messages region (templates/layout.html, saas/htmx.py MESSAGES_ID).
  var MESSAGES_ID = "messages";

  function showMessage(text, level) {
    var region = document.getElementById(MESSAGES_ID);
    if (!region || !text) return;
    var line = document.createElement("p");
    line.className = level === "error" ? "alert error" : "flash success";
    line.setAttribute("role", level === "error" ? "alert" : "status");
    line.textContent = text;
    region.replaceChildren(line);
  }

  // Success toasts: the server sends HX-Trigger {"bilan:message": {"text": ..., "level": ...}}.
  document.addEventListener("bilan:message", function (event) {
    showMessage(event.detail && event.detail.text, event.detail && event.detail.level);
  });

  // The server sends its errors to the messages region (HX-Retarget). An error that did
  // not come from the application (a proxy's 502 page) must not replace the request's
  // target either: keep the target and say the request failed.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status !== 422 && !xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = false;
      showMessage("La requête a échoué (" + xhr.status + "). Réessayez.", "error");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage("Le serveur ne répond pas : vérifiez votre connexion et réessayez.", "error");
  });

  // Slug suggestion on the signup form: lowercase, no accents, hyphens.
  document.addEventListener("input", function (event) {
    var source = event.target;
    if (!source.matches || !source.matches("[data-slug-source]")) return;
    var field = document.getElementById(source.getAttribute("data-slug-source"));
    if (!field || field.dataset.touched === "1") return;
    field.value = source.value.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-slug-field]")) event.target.dataset.touched = "1";
  });
})();
