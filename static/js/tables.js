// Wide data tables scroll sideways inside their own box on a narrow screen, so the page
// itself reflows at 320 px (WCAG 1.4.10) and no column is cut off. A table a template
// already wrapped is left alone. The box can be focused and scrolled by keyboard, and is
// named after the table's caption for screen readers. Without JavaScript the table is
// still all there; the page then scrolls as a whole.
(function () {
  "use strict";
  function wrapTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".table-responsive")) {
        return;
      }
      var box = document.createElement("div");
      box.className = "table-responsive";
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      var heading = caption ? caption.textContent.trim() : "";
      if (!heading) {
        var previous = table.closest("section, article, main").querySelector("h2, h1");
        heading = previous ? previous.textContent.trim() : document.title;
      }
      box.setAttribute("aria-label", heading);
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wrapTables);
  } else {
    wrapTables();
  }
})();
