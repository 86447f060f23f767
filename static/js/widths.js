// Bars and indents whose size comes from the data. The Content Security Policy forbids
// style="" in the page, so the templates write data-width (percent), data-indent (rem) or
// data-share (percent, a custom property) and this sets them through the CSSOM, which the
// policy allows.
(function () {
  document.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = el.dataset.width + "%"; });
  document.querySelectorAll("[data-indent]").forEach(function (el) { el.style.marginLeft = el.dataset.indent + "rem"; });
  document.querySelectorAll("[data-share]").forEach(function (el) { el.style.setProperty("--share", el.dataset.share + "%"); });
})();
