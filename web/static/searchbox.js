// The header search box suggests as one types (GET /api/suggest?q=), as an ARIA 1.2 combobox with a listbox
// popup: arrow keys move through the suggestions (aria-activedescendant), Enter searches for the chosen one or,
// when none is chosen, for what was typed, Escape closes the list. Requests wait for a pause in typing and an
// answer to an older keystroke is dropped. The form is never held back: without scripts, while a request is
// pending, or when the API fails, Enter and the button submit the box as it is.
(function () {
  "use strict";
  var form = document.querySelector("form.searchbox[data-suggest]");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  if (!input) return;
  var DELAY = 150;
  var list = document.createElement("ul");
  var timer = null;
  var asked = 0; // the number of the latest request: answers to earlier ones are dropped
  var active = -1;
  var options = [];

  list.id = input.id + "-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", form.dataset.listLabel || "");
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");

  function label(kind) {
    return form.dataset["kind" + kind.charAt(0).toUpperCase() + kind.slice(1)] || "";
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    options.forEach(function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
    } else {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }
  }

  function show(suggestions) {
    list.textContent = "";
    options = suggestions.map(function (s, i) {
      var li = document.createElement("li");
      var text = document.createElement("span");
      var kind = document.createElement("span");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.text = s.text;
      text.className = "text";
      text.textContent = s.text;
      kind.className = "kind";
      kind.textContent = label(s.kind) + " · " + s.count.toLocaleString(document.documentElement.lang || undefined);
      li.appendChild(text);
      li.appendChild(kind);
      li.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the box
      });
      li.addEventListener("click", function () {
        input.value = s.text;
        close();
        form.submit();
      });
      list.appendChild(li);
      return li;
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    list.hidden = options.length === 0;
    input.setAttribute("aria-expanded", options.length ? "true" : "false");
  }

  function ask() {
    var q = input.value;
    var mine = ++asked;
    if (q.trim().length < 2) {
      close();
      return;
    }
    var url = form.dataset.suggest + "?q=" + encodeURIComponent(q) + "&limit=8";
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.ok ? r.json() : { suggestions: [] };
      })
      .then(function (body) {
        if (mine !== asked || document.activeElement !== input) return; // an older keystroke's, or left
        show(body.suggestions || []);
      })
      .catch(function () {
        if (mine === asked) close();
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && options.length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      if (!open) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = active + step;
      if (next >= options.length) next = 0;
      if (next < -1) next = options.length - 1;
      choose(next < 0 ? options.length - 1 : next);
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault(); // the list closes; the text stays
        close();
      }
    } else if (event.key === "Enter") {
      // the form submits by itself right after: with the chosen suggestion, or with the text as typed
      if (open && active >= 0) input.value = options[active].dataset.text;
      clearTimeout(timer);
      asked++;
      close();
    }
  });

  input.addEventListener("blur", function () {
    clearTimeout(timer);
    asked++;
    close();
  });
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    asked++;
    close();
  });
})();
