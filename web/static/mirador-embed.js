// Mirador on the embed page (web/templates/embed.html): the manifest comes from the element's data attribute.
(function () {
  var el = document.getElementById("mirador");
  Mirador.viewer({ id: "mirador", windows: [{ manifestId: el.dataset.manifest }],
                   window: { allowClose: false, allowMaximize: false }, workspaceControlPanel: { enabled: false } });
})();
