// Activate / Save confirmation page: follow the chosen capability in the table, warn when the
// model was not classified for it or is priced above its ceiling. The page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var page = document.querySelector(".aim-confirm");
  var select = page && page.querySelector("select[name=capability]");
  if (!select) {
    return;
  }
  var unclassified = document.getElementById("aim-unclassified-warning");
  var ceiling = document.getElementById("aim-ceiling-warning");
  function update() {
    var classified = false;
    var over = false;
    page.querySelectorAll("tr[data-capability]").forEach(function (row) {
      var chosen = row.getAttribute("data-capability") === select.value;
      row.classList.toggle("aim-selected", chosen);
      if (chosen) {
        classified = row.getAttribute("data-classified") === "yes";
        over = row.getAttribute("data-over-ceiling") === "yes";
      }
    });
    if (unclassified) {
      unclassified.hidden = classified;
    }
    if (ceiling) {
      ceiling.hidden = !over;
    }
  }
  select.addEventListener("change", update);
  update();
});
