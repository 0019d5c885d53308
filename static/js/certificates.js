/* Certificate pages: the "Print" button of the refusal notice (shown only when JavaScript runs; the PDF link
   works without it). No inline handlers: CSP allows scripts from our own origin only. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
