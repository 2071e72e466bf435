/* Moderation queue keyboard shortcuts (progressive enhancement: every action is also a
   button). j/k move to the next/previous comment, a/s/t press its Approve/Spam/Trash button.
   Keys typed into a text field, a select or with a modifier are left alone. After an action
   the page reloads; the row at the same place (the next comment) gets focus again. */
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".queue-row"));
  if (!rows.length) return;
  var KEY = "masthead-moderation-row";
  var current = -1;

  function go(index, scroll) {
    if (index < 0 || index >= rows.length) return;
    if (current >= 0) rows[current].classList.remove("is-current");
    current = index;
    var row = rows[current];
    row.classList.add("is-current");
    row.setAttribute("tabindex", "-1");
    // Focus the row so a screen reader reads the comment the shortcuts now act on.
    row.focus({preventScroll: !scroll});
    if (scroll) row.scrollIntoView({block: "nearest"});
  }

  function typing(target) {
    if (!target || target === document.body) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(target.type) === -1;
  }

  rows.forEach(function (row, index) {
    // A click or Tab into a row makes it the current one.
    row.addEventListener("focusin", function () {
      if (current !== index) {
        if (current >= 0) rows[current].classList.remove("is-current");
        current = index;
        row.classList.add("is-current");
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    if (key === "j" || key === "k") {
      event.preventDefault();
      go(current < 0 ? 0 : current + (key === "j" ? 1 : -1), true);
      return;
    }
    if (key !== "a" && key !== "s" && key !== "t") return;
    if (current < 0) return;
    var button = rows[current].querySelector('button[data-key="' + key + '"]');
    if (!button) return;
    event.preventDefault();
    try { sessionStorage.setItem(KEY, String(current)); } catch (e) { /* private mode */ }
    button.click();
  });

  var saved = null;
  try { saved = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) { /* */ }
  if (saved !== null) go(Math.min(parseInt(saved, 10) || 0, rows.length - 1), true);
})();
