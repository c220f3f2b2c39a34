// Activate / Save confirmation page: follow the chosen capability in the table, warn when the
// model was not classified for it, is priced above its ceiling, misses a requirement or would
// switch embedding models. The page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var page = document.querySelector(".aim-confirm");
  var select = page && page.querySelector("select[name=capability]");
  if (!select) {
    return;
  }
  var unclassified = document.getElementById("aim-unclassified-warning");
  var ceiling = document.getElementById("aim-ceiling-warning");
  var override = document.getElementById("aim-requirements-override");
  var switching = document.getElementById("aim-embedding-switch");
  function update() {
    var classified = false;
    var over = false;
    var unmet = false;
    var switches = false;
    page.querySelectorAll("tr[data-capability]").forEach(function (row) {
      var chosen = row.getAttribute("data-capability") === select.value;
      row.classList.toggle("aim-selected", chosen);
      if (chosen) {
        classified = row.getAttribute("data-classified") === "yes";
        over = row.getAttribute("data-over-ceiling") === "yes";
        unmet = row.getAttribute("data-unmet") === "yes";
        switches = row.getAttribute("data-switch") === "yes";
      }
    });
    page.querySelectorAll("[data-requirements-for], [data-switch-for]").forEach(function (block) {
      var name = block.getAttribute("data-requirements-for") || block.getAttribute("data-switch-for");
      block.hidden = name !== select.value;
    });
    if (override) {
      override.hidden = !unmet;
    }
    if (switching) {
      switching.hidden = !switches;
    }
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
