// What every page needs, kept out of the HTML so the Content-Security-Policy can forbid inline
// scripts: confirmations before destructive forms, and copy buttons.

// Bars and intervals say their size in data attributes (per cent of their cell), set here as
// styles because the Content-Security-Policy allows no style="" attributes: data-bar-width,
// data-bar-from (the left edge) and data-bar-to (the right edge).
(function () {
  function size(root) {
    if (!root.querySelectorAll) return;
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-bar-width], [data-bar-from]"));
    if (root.matches && root.matches("[data-bar-width], [data-bar-from]")) found.push(root);
    found.forEach(function (el) {
      var d = el.dataset;
      if (d.barWidth !== undefined) el.style.width = d.barWidth + "%";
      if (d.barFrom !== undefined) el.style.left = d.barFrom + "%";
      if (d.barTo !== undefined) el.style.right = (100 - parseFloat(d.barTo)) + "%";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { size(document); });
  else size(document);
  document.addEventListener("htmx:load", function (event) { size(event.detail.elt); });
})();

// A form with data-confirm="Question?" asks before it is sent.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Copy buttons: data-copy names the element whose text goes to the clipboard.
(function () {
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var text = document.getElementById(button.dataset.copy).textContent;
    var label = button.dataset.label || (button.dataset.label = button.getAttribute("aria-label"));
    function done(ok) {
      button.textContent = ok ? "Copied" : "Select and copy it";
      button.setAttribute("aria-label", button.textContent);
      setTimeout(function () { button.textContent = "Copy"; button.setAttribute("aria-label", label); }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
    else done(fallback(text));
  });
})();

// An element marked data-swap-errors (the editor's checks as one types, the playground) gets a
// refusal (400) swapped in like an answer, for the reason it carries, instead of dropped as an error.
document.addEventListener("htmx:beforeSwap", function (event) {
  var source = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (source && source.closest("[data-swap-errors]") && event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A select with data-submit sends its form when it changes (no inline handlers: the CSP forbids them).
document.addEventListener("change", function (event) {
  var select = event.target.closest("select[data-submit]");
  if (select && select.form) select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
});

// Chat turns: add and remove them in the page, saved together by one Save.
document.addEventListener("click", function (event) {
  var add = event.target.closest("button[data-add-turn]");
  var remove = event.target.closest("button[data-remove-turn]");
  if (!add && !remove) return;
  var fieldset = event.target.closest("fieldset.turns");
  var turns = fieldset.querySelectorAll(".turn");
  if (remove) {
    if (turns.length > 1) remove.closest(".turn").remove();
    else remove.closest(".turn").querySelector("textarea").value = "";
    return;
  }
  var last = turns[turns.length - 1];
  var next = 0;
  fieldset.querySelectorAll("select[name^=role_]").forEach(function (s) {
    next = Math.max(next, parseInt(s.name.slice(5), 10) + 1);
  });
  var turn = last.cloneNode(true);
  var select = turn.querySelector("select"), text = turn.querySelector("textarea");
  var labels = turn.querySelectorAll("label");
  select.name = select.id = "role_" + next;
  text.name = text.id = "content_" + next;
  labels[0].htmlFor = select.id;
  labels[1].htmlFor = text.id;
  labels[0].textContent = "Role of turn " + (turns.length + 1);
  labels[1].textContent = "Turn " + (turns.length + 1);
  turn.querySelector("button[data-remove-turn]").setAttribute("aria-label", "Remove turn " + (turns.length + 1));
  select.value = last.querySelector("select").value === "user" ? "assistant" : "user";
  text.value = "";
  text.placeholder = "";
  last.after(turn);
  text.focus();
});
