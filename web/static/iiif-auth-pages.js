// The pages of the IIIF Authorization Flow 2.0 services (web/templates/iiif_auth/): the token service's frame
// posts its message to the viewer's origin; the access and logout windows close themselves when done.
(function () {
  "use strict";
  var message = document.getElementById("iiif-auth-message");
  if (message && window.parent !== window) {
    window.parent.postMessage(JSON.parse(message.dataset.message), message.dataset.target);
  }
  if (document.querySelector("[data-iiif-auth-close]")) {
    window.close();
  }
})();
