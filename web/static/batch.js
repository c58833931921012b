// The batch page (web/templates/archivist/batch.html): follow a running batch in place from its progress
// JSON (the bar, the counts and the file being worked on, in the polite live region); when the run ends,
// finished or stopped, load the page once more for the full report. The OCR of its pages goes on after the
// files are in: its bar and sentence follow it the same way, and the page is loaded once more when no page
// waits (for the list of pages below the confidence threshold). Without scripts a refresh does this.
(function () {
  var section = document.querySelector(".batch-progress[data-progress]");
  var ocr = document.querySelector(".batch-ocr");
  if (!section) return;
  var running = section.dataset.status === "running";
  var ocrWaiting = ocr ? Number(ocr.dataset.waiting || 0) : 0;
  if (!running && !ocrWaiting) return;
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var ocrBar = document.getElementById("ocr-bar");
  var ocrText = document.getElementById("ocr-text");
  function show(p) {
    bar.max = Math.max(p.total, 1);
    bar.value = p.done + p.failed;
    bar.textContent = p.done + p.failed + " / " + p.total;
    if (text.textContent !== p.text) text.textContent = p.text;  // a changed sentence only: no chatter
  }
  function showOcr(o) {
    if (!o || !ocrBar) return;
    ocrBar.max = Math.max(o.pages, 1);
    ocrBar.value = o.pages - o.waiting;
    ocrBar.textContent = o.pages - o.waiting + " / " + o.pages;
    if (ocrText.textContent !== o.text) ocrText.textContent = o.text;
  }
  function poll() {
    fetch(section.dataset.progress, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (p) {
        show(p);
        showOcr(p.ocr);
        if (running && p.status !== "running") { window.location.reload(); return; }
        if (!running && p.ocr && p.ocr.waiting === 0) { window.location.reload(); return; }
        window.setTimeout(poll, running ? 2000 : 5000);
      }, function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
