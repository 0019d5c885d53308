/* Gongzhi UI behaviour. Loaded with `defer` from templates/base.html; no inline scripts anywhere (CSP
   script-src 'self'), no frameworks. Every page works without this file: it only adds comfort and privacy. */
(function () {
  "use strict";

  // htmx 2 would inject a <style> element for its indicators, which CSP (style-src 'self') blocks; the same
  // rules live in gongzhi.css. Never evaluate code from attributes either. This runs before htmx's own
  // DOMContentLoaded set-up because both scripts are deferred and this one comes second.
  if (window.htmx && window.htmx.config) {
    window.htmx.config.includeIndicatorStyles = false;
    window.htmx.config.allowEval = false;
    window.htmx.config.allowScriptTags = false;
  }

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // A revealed ID number or phone (the answer to an explicit, audited "show in full") goes back to its masked
  // form after data-reveal-seconds, so it does not stay on a screen left open.
  function remaskLater(root) {
    root.querySelectorAll("[data-reveal-seconds][data-masked]").forEach(function (el) {
      var seconds = parseInt(el.getAttribute("data-reveal-seconds"), 10);
      if (!(seconds > 0)) { return; }
      window.setTimeout(function () {
        el.textContent = el.getAttribute("data-masked");
        el.classList.remove("revealed");
        el.classList.add("masked");
      }, seconds * 1000);
    });
  }

  // <button data-confirm="…">: ask before a consequential action (e.g. ending a grid assignment).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var form = event.target;
    var message = (button && button.getAttribute("data-confirm")) || (form && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  ready(function () {
    remaskLater(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    remaskLater(event.target);
  });
})();
