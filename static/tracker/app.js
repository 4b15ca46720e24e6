/* CAR-T journey tracker: the little JavaScript the pages use (no inline scripts: the CSP forbids them). */
(function () {
  "use strict";

  // The collapsible menu on narrow screens.
  function setUpMenu() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (!toggle || !nav) return;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      document.body.classList.toggle("nav-open", open);
    });
  }

  // The neurological check: show the ICE items or the CAPD items, whichever tool is chosen.
  function setUpNeuroTool() {
    var tool = document.getElementById("id_tool");
    var ice = document.getElementById("ice-items");
    var capd = document.getElementById("capd-items");
    if (!tool || !ice || !capd) return;
    function show() {
      ice.hidden = tool.value !== "ice";
      capd.hidden = tool.value !== "capd";
    }
    tool.addEventListener("change", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    setUpNeuroTool();
    if (window.trackerCharts) window.trackerCharts();
  });
})();
