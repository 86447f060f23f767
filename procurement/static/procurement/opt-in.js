// The opt-in form shows only the parts the chosen answer needs: the estimate and contact
// person for a commitment or interest, the decision for a binding commitment, the reason
// for not taking part. Without JavaScript every part shows, and the server ignores what
// does not belong to the answer.
document.querySelectorAll("form[data-opt-in-form]").forEach((form) => {
  const parts = form.querySelectorAll("[data-shown-for]");
  const showParts = () => {
    const chosen = form.querySelector('input[name="answer"]:checked');
    parts.forEach((part) => {
      part.hidden = chosen !== null && !part.dataset.shownFor.split(" ").includes(chosen.value);
    });
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "answer") showParts();
  });
  // Also when the browser restores the page (back button, reload) with a choice made.
  window.addEventListener("pageshow", showParts);
  showParts();
});
