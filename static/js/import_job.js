// The page of a statistics file checked or saved in the background: keeps the progress
// bar up to date and reloads the page when the job has finished (the preview, the
// refused rows or the year then show). No inline script: the CSP forbids it.
(function () {
  "use strict";
  var container = document.querySelector("[data-import-status]");
  if (!container) { return; }
  function poll() {
    fetch(container.dataset.importStatus, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        if (job.finished) { window.location.reload(); return; }
        var bar = container.querySelector("[data-import-progress]");
        if (bar) { bar.value = job.percent; bar.textContent = job.percent + " %"; }
        var count = container.querySelector("[data-import-count]");
        if (count) { count.textContent = job.done + " / " + job.total; }
        window.setTimeout(poll, 1000);
      });
  }
  window.setTimeout(poll, 700);
})();
