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

  // Irreversible actions ask first (bilan tabs: templates/bilans/tabs/_overview.html). A form with
  // data-confirm="<dialog id>" opens that <dialog>, which says what will happen; "yes" submits the form
  // again with confirmed=y. Without JavaScript the server answers with a confirmation step instead
  // (tenants/bilans/bilan_views.py close), so nothing irreversible happens on the first submit either way.
  // Capture phase: the dialog opens before htmx (listening on the form) sends anything.
  var pendingForm = null;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]")) return;
    if (form.querySelector("input[name=confirmed][type=hidden], input[name=confirmed]:checked")) return;
    var dialog = document.getElementById(form.getAttribute("data-confirm"));
    if (!dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    event.stopPropagation();
    pendingForm = form;
    dialog.showModal();
  }, true);
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm-yes], [data-confirm-no]");
    if (!button) return;
    var dialog = button.closest("dialog");
    var form = pendingForm;
    pendingForm = null;
    if (dialog) dialog.close();
    if (!form || !button.hasAttribute("data-confirm-yes")) return;
    var confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "y";
    form.appendChild(confirmed);
    if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.submit();
  });

  // After a tab of the bilan page is swapped in, move the focus to its panel (as a page load would put
  // the reader at the top of the new content).
  document.addEventListener("htmx:afterSettle", function (event) {
    var trigger = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!trigger || !trigger.hasAttribute || !trigger.hasAttribute("data-tab-link")) return;
    var panel = document.getElementById("bilan-panel");
    if (panel) panel.focus();
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
