// The opt-in form shows only the parts the chosen answer needs: the commitment's figures
// and decision for a binding commitment, the contact person for taking part or interest,
// the reason for not taking part. Without JavaScript every part shows, and the server
// ignores what does not belong to the answer.
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
  showParts();
});
