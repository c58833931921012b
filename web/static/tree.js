// The fonds tree (web/templates/browse.html): expanding a node loads its children in place; without
// scripts each node is a link to its own page.
document.addEventListener("toggle", function (event) {
  var node = event.target;
  if (!node.matches || !node.matches("details.node") || !node.open || node.dataset.loaded) return;
  node.dataset.loaded = "1";
  var box = node.querySelector(".children-box");
  box.setAttribute("aria-busy", "true");
  fetch(node.dataset.children, {headers: {"Accept": "text/html"}}).then(function (r) { return r.text(); })
    .then(function (html) { box.innerHTML = html; box.removeAttribute("aria-busy"); });
}, true);
document.addEventListener("click", function (event) {
  var more = event.target.closest && event.target.closest("a.more-children");
  if (!more) return;
  event.preventDefault();
  var list = more.closest(".children-box") || document.getElementById("tree");
  fetch(more.dataset.fragment).then(function (r) { return r.text(); }).then(function (html) {
    var holder = document.createElement("div"); holder.innerHTML = html;
    var items = holder.querySelector("ul.tree-level");
    var target = more.closest(".children-box, .tree").querySelector("ul.tree-level");
    Array.prototype.forEach.call(items.children, function (li) { target.appendChild(li.cloneNode(true)); });
    var next = holder.querySelector("a.more-children");
    if (next) { more.replaceWith(next); } else { more.remove(); }
  });
});
