// The list's filters fold away on small screens, so the results come first; on wide screens
// they are opened beside the results (issue 13). Without this script they stay folded.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 48rem)");
  function apply() {
    document.querySelectorAll("details.filters").forEach(function (details) {
      details.open = wide.matches;
    });
  }
  apply();
  wide.addEventListener("change", apply);
})();
