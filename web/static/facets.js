// The search page's facets (web/templates/search.html) fold into their disclosure on a narrow screen, so
// that a phone shows the results first; the HTML keeps them open for desktop widths and for no scripts.
(function () {
  var refine = document.querySelector("details.refine");
  if (!refine || !window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 50rem)");
  function fit() { refine.open = !narrow.matches; }
  fit();
  narrow.addEventListener("change", fit);
})();
