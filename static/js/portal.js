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
  // Rankings: the "Monter"/"Descendre" buttons are submit buttons (a POST moves one step without
  // JavaScript); here they move the item in place, renumber the hidden ranks, autosave (htmx listens
  // for "qn-reorder" on the list) and say the new position aloud.
  function renumber(list) {
    var items = list.querySelectorAll(".ranking-item");
    items.forEach(function (item, index) {
      var input = item.querySelector("input[data-rank]");
      if (input) { input.value = String(index + 1); input.disabled = false; }
      var pos = item.querySelector(".ranking-pos");
      if (pos) pos.textContent = String(index + 1);
      var up = item.querySelector('[data-move="up"]'), down = item.querySelector('[data-move="down"]');
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === items.length - 1;
    });
    return items.length;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-move]");
    if (!button) return;
    var question = button.closest(".qn-question");
    var list = question && question.querySelector(".ranking-list");
    if (!list) return;
    event.preventDefault();
    var direction = button.getAttribute("data-move");
    var item = button.closest(".ranking-item");
    if (item && direction === "up" && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
    if (item && direction === "down" && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
    var count = renumber(list);
    var live = question.querySelector('[id^="rank-live-"]');
    // Any press answers the ranking: "Garder cet ordre" has nothing left to do.
    var keep = question.querySelector('[data-move="keep"]');
    if (keep) keep.hidden = true;
    if (direction === "keep") {
      var firstDown = list.querySelector('[data-move="down"]');
      if (firstDown) firstDown.focus();
      if (live) live.textContent = "Ordre gardé tel qu'affiché.";
    }
    if (item && live) {
      var position = Array.prototype.indexOf.call(list.children, item) + 1;
      var label = item.querySelector(".ranking-label").textContent;
      live.textContent = "« " + label + " » est maintenant en position " + position + " sur " + count + ".";
    }
    if (item) {
      // Keep the focus on the pressed button, or on its twin once it reaches an end.
      var target = button.disabled ? item.querySelector('[data-move="' + (direction === "up" ? "down" : "up") + '"]') : button;
      if (target) target.focus();
    }
    list.dispatchEvent(new CustomEvent("qn-reorder", { bubbles: true }));
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
