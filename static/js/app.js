// Small behaviours that need no framework. No inline script anywhere (CSP).
(function () {
  "use strict";
  // Server errors swapped by htmx land in #error-message when a page has one.
  document.addEventListener("htmx:responseError", function (event) {
    var target = document.getElementById("htmx-error");
    if (target) {
      target.textContent = "La requête a échoué (" + event.detail.xhr.status + "). Réessayez.";
      target.hidden = false;
    }
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
