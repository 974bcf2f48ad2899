// Small screens (issue 13). A data table wider than the screen scrolls inside its own box, so the
// page never scrolls sideways; a box that scrolls gets a tab stop, so keyboard users can scroll
// it too (WCAG 2.1.1), and loses it again when everything fits.
(function () {
  "use strict";
  document.body.classList.remove("no-js");
  document.querySelectorAll("main table").forEach(function (table) {
    if (table.closest(".table-scroll")) return;
    var box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  function update() {
    document.querySelectorAll(".chart, .table-scroll").forEach(function (box) {
      var caption = box.querySelector("caption, figcaption");
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : document.title);
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  update();
  window.addEventListener("resize", update);
})();
