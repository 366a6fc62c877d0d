// Small behaviours that need no framework. No inline script anywhere (CSP).
(function () {
  "use strict";
  // The layout's one messages region (templates/layout.html, saas/htmx.py MESSAGES_ID): fixed in view,
  // every message in it a toast of one markup (templates/_toast.html, cloned from #toast-template here).
  var MESSAGES_ID = "messages";
  var HIDE_AFTER_MS = 8000;  // long enough to read two lines; errors stay until closed
  var MAX_TOASTS = 3;

  function dismiss(toast) {
    if (!toast || !toast.parentNode) return;
    var hadFocus = toast.contains(document.activeElement);
    toast.parentNode.removeChild(toast);
    if (hadFocus) {
      var main = document.getElementById("main");
      if (main) main.focus();
    }
  }

  // A status message hides itself after HIDE_AFTER_MS, but not while the pointer or the focus is on it
  // (WCAG 2.2.1: the reader can stop the clock). An error (data-toast="error") never hides by itself.
  function arm(toast) {
    if (!toast || toast.getAttribute("data-toast") === "error" || toast.dataset.armed === "1") return;
    toast.dataset.armed = "1";
    var timer = null;
    var held = 0;
    function start() { if (!timer && !held) timer = window.setTimeout(function () { dismiss(toast); }, HIDE_AFTER_MS); }
    function stop() { if (timer) { window.clearTimeout(timer); timer = null; } }
    toast.addEventListener("mouseenter", function () { held |= 1; stop(); });
    toast.addEventListener("mouseleave", function () { held &= ~1; start(); });
    toast.addEventListener("focusin", function () { held |= 2; stop(); });
    toast.addEventListener("focusout", function (event) {
      if (toast.contains(event.relatedTarget)) return;
      held &= ~2; start();
    });
    start();
  }

  function keepFew(region) {
    var toasts = region.querySelectorAll(":scope > .toast");
    for (var i = 0; i < toasts.length - MAX_TOASTS; i++) dismiss(toasts[i]);
  }

  function showMessage(text, level) {
    var region = document.getElementById(MESSAGES_ID);
    var template = document.getElementById("toast-template");
    if (!region || !template || !text) return;
    level = ["success", "info", "warn", "error"].indexOf(level) >= 0 ? level : "success";
    var toast = template.content.firstElementChild.cloneNode(true);
    toast.className = "toast " + level;
    toast.setAttribute("data-toast", level);
    var line = toast.querySelector(".toast-text");
    line.setAttribute("role", level === "error" ? "alert" : "status");
    line.textContent = text;
    region.appendChild(toast);
    keepFew(region);
    arm(toast);
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-toast-close]");
    if (close) dismiss(close.closest(".toast"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var toast = event.target.closest(".toast");
    if (toast) dismiss(toast);
  });

  // Toasts the server put in the region: the flashed messages of a page (after a plain form's redirect)
  // and errors swapped in by htmx (HX-Retarget). A live region does not announce what a page loads with,
  // so a flashed message's text is set again once the page is there: screen readers then read it.
  function adopt(region, announce) {
    region.querySelectorAll(":scope > .toast").forEach(function (toast) {
      arm(toast);
      var line = toast.querySelector(".toast-text");
      if (!announce || !line) return;
      var text = line.textContent;
      line.textContent = "";
      window.setTimeout(function () { line.textContent = text; }, 150);
    });
    keepFew(region);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById(MESSAGES_ID);
    if (region) adopt(region, true);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === MESSAGES_ID) adopt(event.detail.target, false);
  });

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

  // A table wider than the screen scrolls inside its .table-wrap (static/css/app.css): the keyboard must be able
  // to scroll it too (WCAG 2.1.1; axe "scrollable-region-focusable"), so a wrap that scrolls takes the focus.
  function reachScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && wrap.hasAttribute("data-scroll-focus")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("data-scroll-focus");
      }
    });
  }
  var resizing = null;
  document.addEventListener("DOMContentLoaded", reachScrollers);
  document.addEventListener("htmx:afterSettle", reachScrollers);
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(reachScrollers, 150);
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
