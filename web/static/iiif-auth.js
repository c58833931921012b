// The client side of the IIIF Authorization Flow 2.0 in the embed viewer (web/templates/embed.html), for the
// hook at the end of viewer.js: before the tiles open, ask the first page's info.json whether its image
// service declares a probe service. If it does, probe it (with the access token, never cookies); on a 401 try
// the token service quietly once, then show the probe's heading and note and a button that opens the access
// service window; when that window closes, fetch a token in a hidden frame, probe again, and load the tiles
// with the token (OpenSeadragon's ajaxHeaders and loadTilesWithAjax). Signing out opens the logout service.
(function () {
  "use strict";

  function text(map) {  // a IIIF language map in the page's language
    if (!map) { return ""; }
    var lang = document.documentElement.lang || "en";
    var values = map[lang] || map.en || map.nl || map.none || [];
    return values.length ? values[0] : "";
  }

  function ofType(services, type) {
    return (services || []).filter(function (s) { return s.type === type; })[0] || null;
  }

  function describe(info) {  // the flow's services of an image service, or null when it declares none
    var probe = ofType(info.service, "AuthProbeService2");
    var access = probe && ofType(probe.service, "AuthAccessService2");
    if (!access) { return null; }
    return {
      probe: probe,
      access: access,
      token: ofType(access.service, "AuthAccessTokenService2"),
      logout: ofType(access.service, "AuthLogoutService2")
    };
  }

  function whenClosed(win, then) {
    var timer = setInterval(function () {
      if (!win || win.closed) { clearInterval(timer); then(); }
    }, 300);
  }

  function requestToken(service) {  // the token service in a hidden frame: its postMessage, or null
    return new Promise(function (resolve) {
      var messageId = "m" + Date.now() + Math.random().toString(36).slice(2);
      var frame = document.createElement("iframe");
      var serviceOrigin = new URL(service.id, location.href).origin;
      var done = false;
      function finish(data) {
        if (done) { return; }
        done = true;
        window.removeEventListener("message", listen);
        frame.remove();
        resolve(data);
      }
      function listen(event) {
        if (event.origin !== serviceOrigin || !event.data || event.data.messageId !== messageId) { return; }
        finish(event.data);
      }
      window.addEventListener("message", listen);
      frame.hidden = true;
      frame.title = "IIIF";
      frame.src = service.id + "?messageId=" + encodeURIComponent(messageId) + "&origin=" + encodeURIComponent(location.origin);
      document.body.appendChild(frame);
      setTimeout(function () { finish(null); }, 15000);
    });
  }

  window.heritageIIIFAuth = function (viewer, pages, el, show) {
    var box = el.closest(".viewer-box") || el.parentNode;
    var panel = document.createElement("div");
    panel.className = "iiif-auth";
    panel.setAttribute("role", "status");
    panel.hidden = true;
    box.parentNode.insertBefore(panel, box);
    var flow = null;
    var token = null;
    var shown = false;

    function button(label, action) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", action);
      return b;
    }

    function say(heading, note, label, action) {
      panel.textContent = "";
      if (heading) { var h = document.createElement("p"); h.className = "iiif-auth-heading"; h.textContent = heading; panel.appendChild(h); }
      if (note) { var p = document.createElement("p"); p.className = "iiif-auth-note"; p.textContent = note; panel.appendChild(p); }
      if (label) { panel.appendChild(button(label, action)); }
      panel.hidden = false;
    }

    function grant() {
      viewer.loadTilesWithAjax = Boolean(token);
      viewer.setAjaxHeaders(token ? { Authorization: "Bearer " + token } : {}, true);
      el.hidden = false;
      if (token && flow.logout) { say("", "", text(flow.logout.label), signOut); } else { panel.hidden = true; }
      show();
      shown = true;
    }

    function deny(result) {
      if (shown) { viewer.close(); shown = false; }
      el.hidden = true;
      say(text(result.heading || flow.access.heading), text(result.note || flow.access.note),
        text(flow.access.confirmLabel || flow.access.label), signIn);
    }

    function probe(quietly) {
      var headers = token ? { Authorization: "Bearer " + token } : {};
      return fetch(flow.probe.id, { credentials: "omit", headers: headers })
        .then(function (r) { return r.json(); })
        .then(function (result) {
          if (result.status === 200) { grant(); return; }
          if (quietly && flow.token) {  // signed in already (this viewer confirmed before): no window needed
            return fetchToken(false).then(function (got) { if (got) { return probe(false); } deny(result); });
          }
          deny(result);
        })
        .catch(function () { say(text(flow.probe.errorHeading), text(flow.probe.errorNote)); });
    }

    function fetchToken(loud) {
      return requestToken(flow.token).then(function (data) {
        if (data && data.type === "AuthAccessToken2") { token = data.accessToken; return true; }
        if (loud) { say(text(data && data.heading), text(data && data.note), text(flow.access.confirmLabel), signIn); }
        return false;
      });
    }

    function signIn() {
      var win = window.open(flow.access.id + "?origin=" + encodeURIComponent(location.origin), "iiif-access");
      whenClosed(win, function () {
        fetchToken(true).then(function (got) { if (got) { probe(false); } });
      });
    }

    function signOut() {
      var win = window.open(flow.logout.id, "iiif-logout");
      whenClosed(win, function () { token = null; probe(false); });
    }

    fetch(pages[0].service + "/info.json", { credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (info) {
        flow = describe(info);
        if (!flow) { show(); shown = true; return; }
        return probe(true);
      })
      .catch(function () { show(); shown = true; });
  };
})();
