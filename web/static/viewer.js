// The deep-zoom viewer of web/templates/_viewer.html: OpenSeadragon over the image services listed in the
// element's data attributes (a static file, so the Content-Security-Policy needs no inline script).
(function () {
  document.querySelectorAll(".deepzoom[data-services]").forEach(function (el) {
    var services = JSON.parse(el.dataset.services);
    if (el.dataset.height) { el.style.height = el.dataset.height; }
    window.heritageViewer = OpenSeadragon({
      element: el,
      prefixUrl: el.dataset.prefix,
      tileSources: services.map(function (s) { return s + "/info.json"; }),
      sequenceMode: services.length > 1,
      showReferenceStrip: services.length > 1,
      crossOriginPolicy: "Anonymous",
      maxZoomPixelRatio: 2
    });
  });
})();
