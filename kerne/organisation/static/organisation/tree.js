// The organisation tree: open and close a unit's sub-units. htmx fetches them the
// first time (hx-trigger="click once"); this only flips aria-expanded and `hidden`.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest(".tree-toggle") : null;
  if (!button) return;
  var open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", open ? "false" : "true");
  var list = document.getElementById(button.getAttribute("aria-controls"));
  if (list) list.hidden = open;
});
