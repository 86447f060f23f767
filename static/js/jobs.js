// Keeps the progress bars of unfinished job runs up to date by polling their status.
(function () {
  "use strict";
  function update(container) {
    fetch(container.dataset.jobStatus, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        var bar = container.querySelector("[data-job-progress]");
        if (bar) {
          bar.setAttribute("aria-valuenow", job.percent);
          bar.firstElementChild.style.width = job.percent + "%";
          bar.firstElementChild.textContent = job.percent + " %";
          if (job.state === "failed") { bar.firstElementChild.classList.add("bg-danger"); }
        }
        var count = container.querySelector("[data-job-count]");
        if (count) { count.textContent = job.done + " / " + job.total; }
        var state = container.querySelector("[data-job-state]");
        if (state) { state.textContent = job.state_label; }
        var message = container.querySelector("[data-job-message]");
        if (message && job.message) { message.textContent = job.message; }
        if (!job.finished) { window.setTimeout(function () { update(container); }, 1500); }
      });
  }
  document.querySelectorAll("[data-job-status]:not([data-finished])").forEach(function (container) {
    window.setTimeout(function () { update(container); }, 1000);
  });
})();
