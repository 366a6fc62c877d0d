// Portal and questionnaires: small behaviours, no inline script (CSP).
(function () {
  "use strict";
  // Conditional questions: show a question when an earlier answer equals a value.
  function answerOf(form, qid) {
    var inputs = form.querySelectorAll('[data-qid="' + qid + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox")) { if (input.checked) values.push(input.value); }
      else if (input.value) values.push(input.value);
    });
    return values;
  }
  function applyConditions(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var rule = block.getAttribute("data-show-if").split("=");
      var shown = answerOf(form, rule[0]).indexOf(rule.slice(1).join("=")) !== -1;
      block.hidden = !shown;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-questionnaire]").forEach(applyConditions);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-questionnaire]");
    if (form) applyConditions(form);
  });
  // Autosave state: "Enregistrement…" while a request flies.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var q = event.target.closest && event.target.closest(".qn-question");
    if (!q) return;
    var state = q.querySelector(".qn-state");
    if (state) { state.textContent = "Enregistrement…"; state.className = "qn-state"; }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var q = event.target.closest && event.target.closest(".qn-question");
    if (!q) return;
    var state = q.querySelector(".qn-state");
    if (state) { state.textContent = "Non enregistré : vérifiez votre connexion, votre réponse reste affichée."; state.className = "qn-state error-text"; }
  });
})();
