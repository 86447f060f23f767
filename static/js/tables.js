// Wide data tables scroll sideways inside their own box on a narrow screen, so the page
// itself reflows at 320 px (WCAG 1.4.10) and no column is cut off. The box can be focused
// and scrolled by keyboard, and is named after the table (its caption, the element its
// aria-labelledby names, or the nearest heading) for screen readers. A box the template
// wrapped itself (`<div class="table-responsive">`) gets the same focus and name: without
// them a keyboard user could not scroll it (axe: scrollable-region-focusable). Without
// JavaScript the table is still all there; the page then scrolls as a whole.
(function () {
  "use strict";
  function tableName(table) {
    var caption = table.querySelector("caption");
    var heading = caption ? caption.textContent.trim() : "";
    var labelledBy = table.getAttribute("aria-labelledby");
    if (!heading && labelledBy) {
      heading = labelledBy.split(/\s+/).map(function (id) {
        var element = document.getElementById(id);
        return element ? element.textContent.trim() : "";
      }).join(" ").trim();
    }
    if (!heading && table.getAttribute("aria-label")) {
      heading = table.getAttribute("aria-label").trim();
    }
    if (!heading) {
      var previous = table.closest("section, article, main").querySelector("h2, h1");
      heading = previous ? previous.textContent.trim() : document.title;
    }
    return heading;
  }
  function makeReachable(box, table) {
    if (!box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
    }
    if (!box.hasAttribute("role")) {
      box.setAttribute("role", "region");
    }
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      box.setAttribute("aria-label", tableName(table));
    }
  }
  function wrapTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      var box = table.closest(".table-responsive");
      if (!box) {
        box = document.createElement("div");
        box.className = "table-responsive";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      makeReachable(box, table);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wrapTables);
  } else {
    wrapTables();
  }
})();
