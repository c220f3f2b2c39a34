// Activate / Save confirmation page: follow the chosen capability. The table marks its row; each
// gate that refuses it shows its reason and its override checkbox (the row's data-refuses lists
// them); its requirements are listed; the "not classified" warning shows when no gate already
// says so. The page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var page = document.querySelector(".aim-confirm");
  var select = page && page.querySelector("select[name=capability]");
  if (!select) {
    return;
  }
  var unclassified = document.getElementById("aim-unclassified-warning");
  function update() {
    var classified = false;
    var refuses = [];
    page.querySelectorAll("tr[data-capability]").forEach(function (row) {
      var chosen = row.getAttribute("data-capability") === select.value;
      row.classList.toggle("aim-selected", chosen);
      if (chosen) {
        classified = row.getAttribute("data-classified") === "yes";
        refuses = (row.getAttribute("data-refuses") || "").split(" ").filter(Boolean);
      }
    });
    page.querySelectorAll("[data-requirements-for], [data-refusal-for]").forEach(function (block) {
      var name = block.getAttribute("data-requirements-for") || block.getAttribute("data-refusal-for");
      block.hidden = name !== select.value;
    });
    page.querySelectorAll("[data-override]").forEach(function (block) {
      block.hidden = refuses.indexOf(block.getAttribute("data-override")) < 0;
    });
    if (unclassified) {
      unclassified.hidden = classified || refuses.indexOf("kind") >= 0;
    }
  }
  select.addEventListener("change", update);
  update();
});
