// The deep-zoom viewer of web/templates/_viewer.html: OpenSeadragon over the pages listed in the element's data
// attributes (a static file, so the Content-Security-Policy needs no inline script). Our own buttons drive it
// (reachable with Tab, labelled in the page's language), the page strip sits below the image, a book (`paged`)
// opens as spreads: the first page alone (the recto), then pairs side by side.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function setup(el) {
    var box = el.closest(".viewer-box");
    var pages = JSON.parse(el.dataset.pages);
    var strings = JSON.parse(el.dataset.strings || "{}");
    Object.keys(strings).forEach(function (key) { OpenSeadragon.setString(key, strings[key]); });
    var viewer = OpenSeadragon({
      element: el,
      prefixUrl: el.dataset.prefix,
      showNavigationControl: false,  // our buttons instead: OpenSeadragon's are not reachable by keyboard
      crossOriginPolicy: "Anonymous",
      maxZoomPixelRatio: 2,
      cooperativeGestures: el.dataset.cooperative === "true"
    });
    window.heritageViewer = viewer;

    var paged = el.dataset.paged === "true";
    var spread = paged;
    var current = Math.min(Number(el.dataset.start) || 0, pages.length - 1);  // the record URL's `page`
    var shown = [];  // the pages of the view on screen
    var marks = null;  // canvas id -> boxes of the words to mark, once the search has answered
    var rotation = 0;
    var tools = box.querySelector(".viewer-tools");
    var strip = box.querySelector(".page-strip");
    var buttons = strip ? Array.prototype.slice.call(strip.querySelectorAll("button[data-page]")) : [];
    var downloads = document.querySelectorAll('[data-download-for="' + el.id + '"]');

    function views() {  // the pages shown together: one each, or the recto alone and then pairs
      var out = [];
      for (var i = 0; i < pages.length; i += 1) {
        if (spread && i > 0 && i + 1 < pages.length) { out.push([i, i + 1]); i += 1; } else { out.push([i]); }
      }
      return out;
    }

    function viewAt(all, page) {  // the index in `all` of the view that shows `page`
      for (var i = 0; i < all.length; i += 1) { if (all[i].indexOf(page) >= 0) { return i; } }
      return 0;
    }

    function show() {
      var all = views();
      var at = viewAt(all, current);
      var view = all[at];
      shown = view;
      var x = 0;
      viewer.open(view.map(function (n) {
        var p = pages[n];
        var width = p.width && p.height ? p.width / p.height : 1;
        var placed = { tileSource: p.service + "/info.json", x: x, y: 0, height: 1 };
        x += width;
        return placed;
      }));
      var number = box.querySelector(".page-number");
      if (number) {
        number.textContent = view.length > 1
          ? fill(el.dataset.pagesOf, { first: view[0] + 1, last: view[1] + 1, pages: pages.length })
          : fill(el.dataset.pageOf, { page: current + 1, pages: pages.length });
      }
      buttons.forEach(function (b, n) {
        if (n === current) { b.setAttribute("aria-current", "page"); } else { b.removeAttribute("aria-current"); }
        b.classList.toggle("shown", view.indexOf(n) >= 0);
        b.tabIndex = n === current ? 0 : -1;  // one Tab stop for the strip; arrows move within it
      });
      if (buttons[current]) {
        var b = buttons[current];
        strip.scrollLeft = b.offsetLeft - (strip.clientWidth - b.offsetWidth) / 2;
      }
      toggle("previous", at > 0);
      toggle("next", at < all.length - 1);
      Array.prototype.forEach.call(downloads, function (a) {
        var size = a.dataset.size;
        a.href = pages[current].service + "/full/!" + size + "," + size + "/0/default.jpg";
        a.setAttribute("download", fill(a.dataset.filename, { page: current + 1 }));
      });
      Array.prototype.forEach.call(document.querySelectorAll('[data-page-number-for="' + el.id + '"]'),
        function (s) { s.textContent = String(current + 1); });
    }

    function toggle(action, enabled) {
      var button = tools.querySelector('[data-action="' + action + '"]');
      if (button) { button.disabled = !enabled; }
    }

    function step(by) {
      var all = views();
      var at = viewAt(all, current) + by;
      if (at >= 0 && at < all.length) { current = all[at][0]; show(); }
    }

    var actions = {
      previous: function () { step(-1); },
      next: function () { step(1); },
      "zoom-in": function () { viewer.viewport.zoomBy(1.5); viewer.viewport.applyConstraints(); },
      "zoom-out": function () { viewer.viewport.zoomBy(1 / 1.5); viewer.viewport.applyConstraints(); },
      home: function () { viewer.viewport.goHome(); },
      rotate: function () { rotation = (rotation + 90) % 360; viewer.viewport.setRotation(rotation); },
      fullscreen: function () {  // the box, not only the canvas: the buttons and the strip stay at hand
        if (document.fullscreenElement) { document.exitFullscreen(); } else { box.requestFullscreen(); }
      },
      spread: function (button) {
        spread = !spread;
        button.setAttribute("aria-pressed", String(spread));
        show();
      }
    };
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (button && actions[button.dataset.action]) { actions[button.dataset.action](button); }
    });
    document.addEventListener("fullscreenchange", function () {
      var button = tools.querySelector('[data-action="fullscreen"]');
      button.setAttribute("aria-pressed", String(document.fullscreenElement === box));
    });
    if (!box.requestFullscreen) { tools.querySelector('[data-action="fullscreen"]').hidden = true; }

    if (strip) {
      strip.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-page]");
        if (button) { current = Number(button.dataset.page); show(); }
      });
      strip.addEventListener("keydown", function (event) {
        var at = buttons.indexOf(document.activeElement);
        if (at < 0) { return; }
        var to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
        if (to === undefined) { return; }
        event.preventDefault();
        to = Math.max(0, Math.min(buttons.length - 1, to));
        buttons.forEach(function (b, n) { b.tabIndex = n === to ? 0 : -1; });
        buttons[to].focus();
      });
      strip.hidden = false;
    }
    // The words of the record URL's `highlight`, marked where the item's Content Search finds them, and the
    // number of places marked on the pages shown told to screen readers (the status line below the image).
    var status = document.querySelector('[data-marks-for="' + el.id + '"]');

    function drawMarks() {
      if (!marks) { return; }
      viewer.clearOverlays();
      var count = 0;
      var x = 0;
      shown.forEach(function (n) {
        var p = pages[n];
        (marks[p.canvas] || []).forEach(function (b) {
          var mark = document.createElement("div");
          mark.className = "text-mark";
          viewer.addOverlay({ element: mark, location: new OpenSeadragon.Rect(x + b[0] / p.height, b[1] / p.height, b[2] / p.height, b[3] / p.height) });
          count += 1;
        });
        x += p.width && p.height ? p.width / p.height : 1;
      });
      if (status) {
        status.textContent = count === 0 ? el.dataset.markedNone
          : count === 1 ? el.dataset.markedOne : fill(el.dataset.markedOther, { n: count });
      }
      el.dataset.marks = String(count);
    }

    function collect(url, found, left) {  // follow the result pages (a few) and keep the boxes per canvas
      return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (page) {
          (page.items || []).forEach(function (a) {
            var target = String(a.target || "").split("#xywh=");
            if (target.length === 2) { (found[target[0]] = found[target[0]] || []).push(target[1].split(",").map(Number)); }
          });
          return page.next && left > 0 ? collect(page.next.id, found, left - 1) : found;
        });
    }

    if (el.dataset.search && el.dataset.highlight) {
      viewer.addHandler("open", drawMarks);
      collect(el.dataset.search + "?q=" + encodeURIComponent(el.dataset.highlight), {}, 4)
        .then(function (found) { marks = found; drawMarks(); })
        .catch(function () { marks = {}; drawMarks(); });
    }
    tools.hidden = false;
    if (window.heritageIIIFAuth) { window.heritageIIIFAuth(viewer, pages, el, show); } else { show(); }  // iiif-auth.js
  }

  function start() { document.querySelectorAll(".deepzoom[data-pages]").forEach(setup); }
  // after the whole page is parsed: the download links this viewer keeps up to date follow it in the page
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
