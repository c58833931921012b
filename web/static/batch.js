// The batch page (web/templates/archivist/batch.html): follow a running batch in place from its progress
// JSON (the bar, the counts and the file being worked on, in the polite live region); when the run ends,
// finished or stopped, load the page once more for the full report. Without scripts a refresh does this.
(function () {
  var section = document.querySelector(".batch-progress[data-progress]");
  if (!section || section.dataset.status !== "running") return;
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  function show(p) {
    bar.max = Math.max(p.total, 1);
    bar.value = p.done + p.failed;
    bar.textContent = p.done + p.failed + " / " + p.total;
    if (text.textContent !== p.text) text.textContent = p.text;  // a changed sentence only: no chatter
  }
  function poll() {
    fetch(section.dataset.progress, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (p) {
        show(p);
        if (p.status !== "running") { window.location.reload(); return; }
        window.setTimeout(poll, 2000);
      }, function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
