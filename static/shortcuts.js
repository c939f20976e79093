// Keyboard shortcuts: any element with data-shortcut="ctrl+s" (or alt+a, ctrl+enter, ...) is
// clicked when its keys are pressed. The buttons show their keys, so nothing is hidden.
(function () {
  function keysOf(event) {
    var parts = [];
    if (event.ctrlKey || event.metaKey) parts.push("ctrl");
    if (event.altKey) parts.push("alt");
    var key = event.key === "Enter" ? "enter" : (event.code && event.code.indexOf("Key") === 0 ? event.code.slice(3).toLowerCase() : event.key.toLowerCase());
    parts.push(key);
    return parts.join("+");
  }
  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey || event.altKey)) return;
    var target = document.querySelector('[data-shortcut="' + keysOf(event) + '"]');
    if (!target) return;
    event.preventDefault();
    // A click, not form.requestSubmit(button): htmx learns which button sent the form from the
    // click, and sends that button's name and value (then=submit) only then. A disabled button
    // ignores the click, as it would a mouse.
    target.click();
  });
})();
