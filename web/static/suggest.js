// Name fields of the edit form suggest authority records as one types (GET /api/authorities?q=), in a
// datalist the browser shows under the field. Choosing one fills the row's authority id with `auth:<id>`,
// so the saved record links that authority; without scripts a name typed exactly as an authority's is
// linked all the same when the record is saved.
(function () {
  "use strict";
  var list = document.getElementById("authority-suggestions");
  if (!list || !window.fetch) return;
  var byName = {};
  var timer = null;
  var asked = 0;

  function idField(input) {
    var row = input.closest(".row");
    return row ? row.querySelector("input[name$='-id']") : null;
  }

  function suggest(input) {
    var q = input.value.trim();
    if (q.length < 2) return;
    var mine = ++asked;
    var url = list.dataset.api + "?q=" + encodeURIComponent(q) + "&limit=8";
    var type = input.dataset.suggest;
    if (type) url += "&type=" + encodeURIComponent(type);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { authorities: [] }; })
      .then(function (body) {
        if (mine !== asked) return; // an answer to an older keystroke
        list.textContent = "";
        byName = {};
        body.authorities.forEach(function (a) {
          var option = document.createElement("option");
          option.value = a.name;
          option.label = a.name + (a.dates ? " (" + a.dates + ")" : "");
          list.appendChild(option);
          byName[a.name] = a.id;
        });
      })
      .catch(function () { /* no suggestions: typing goes on as without scripts */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[list='authority-suggestions']")) return;
    clearTimeout(timer);
    timer = setTimeout(function () { suggest(input); }, 150);
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[list='authority-suggestions']")) return;
    var id = byName[input.value];
    var field = idField(input);
    if (id && field && !field.value) field.value = "auth:" + id;
  });
})();
