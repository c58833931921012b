// Copy buttons (web/templates/_iiif_links.html): copy the named field; the button says so in its own words.
document.querySelectorAll("button.copy").forEach(function (b) {
  b.addEventListener("click", function () {
    var field = document.getElementById(b.dataset.copy);
    field.select();
    (navigator.clipboard ? navigator.clipboard.writeText(field.value) : Promise.reject()).then(
      function () { b.textContent = b.dataset.copied; }, function () { document.execCommand("copy"); });
  });
});
