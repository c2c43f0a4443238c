// Arena keyboard shortcuts: 1/A, 2/B, 3/T, 4/X press the vote buttons (their data-key lists the keys).
// Typing in a field is left alone. Without JavaScript the buttons work as they are.
(function () {
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var key = (event.key || "").toLowerCase();
    var buttons = document.querySelectorAll("form.vote button[data-key]");
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].getAttribute("data-key").split(" ").indexOf(key) >= 0 && !buttons[i].disabled) {
        event.preventDefault();
        buttons[i].form.requestSubmit(buttons[i]);
        return;
      }
    }
  });
})();
