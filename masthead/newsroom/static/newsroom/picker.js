/* Co-author picker: the form sends tick boxes (works without script); this adds a filter box
   above them. Typing narrows the list to matching names; ticked names always stay shown, and
   a status line says how many are shown (announced politely to screen readers). */
(function () {
  "use strict";
  document.querySelectorAll("div.picker").forEach(function (list) {
    var items = Array.prototype.slice.call(list.children);
    if (items.length < 6) return;  // a short list needs no filter
    var hint = document.getElementById("coauthor-filter-hint");
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "picker-filter";
    filter.setAttribute("aria-label", "Filter co-authors");
    filter.setAttribute("aria-controls", list.id);
    filter.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "helptext";
    status.setAttribute("role", "status");
    if (hint) {
      hint.hidden = false;
      filter.setAttribute("aria-describedby", hint.id);
    }
    list.parentNode.insertBefore(filter, list);
    list.parentNode.insertBefore(status, list.nextSibling);

    filter.addEventListener("input", function () {
      var words = filter.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (item) {
        var box = item.querySelector("input");
        var match = !words || item.textContent.toLowerCase().indexOf(words) !== -1;
        item.hidden = !(match || (box && box.checked));
        if (!item.hidden) shown += 1;
      });
      status.textContent = words ? shown + " of " + items.length + " shown" : "";
    });
    // Enter in the filter would submit the article form: keep it in the box.
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  });
})();
