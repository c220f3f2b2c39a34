// Activate / Save confirmation page: follow the chosen capability in the table and warn
// when the model was not classified for it. The page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var page = document.querySelector(".aim-confirm");
  var select = page && page.querySelector("select[name=capability]");
  if (!select) {
    return;
  }
  var warning = document.getElementById("aim-unclassified-warning");
  function update() {
    var classified = false;
    page.querySelectorAll("tr[data-capability]").forEach(function (row) {
      var chosen = row.getAttribute("data-capability") === select.value;
      row.classList.toggle("aim-selected", chosen);
      if (chosen) {
        classified = row.getAttribute("data-classified") === "yes";
      }
    });
    if (warning) {
      warning.hidden = classified;
    }
  }
  select.addEventListener("change", update);
  update();
});
