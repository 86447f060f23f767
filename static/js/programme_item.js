// Choosing another part of the item puts its current text in the box, unless the
// director has already written something of their own.
(function () {
  var texts = JSON.parse(document.getElementById("current-texts").textContent);
  var part = document.querySelector("select[name='p-field']");
  var box = document.querySelector("textarea[name='p-proposed_text']");
  if (!part || !box) { return; }
  var last = part.value;
  part.addEventListener("change", function () {
    if (box.value.trim() === "" || box.value === texts[last]) { box.value = texts[part.value] || ""; }
    last = part.value;
  });
})();
