/* Intake pages: small comforts on top of forms that work without this file (CSP script-src 'self'; no inline
   scripts). htmx does the category search and the building list; this file only:
   - marks the page as scripted, which hides the no-JS "search" button;
   - keeps Enter in a one-line field from sending the whole report half-filled;
   - fills the map point from the phone's position on request (no map tiles, nothing leaves the platform);
   - warns at once when more or larger photos are chosen than the server will accept;
   - offers "print this page" on the confirmation. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key !== "Enter" || !el || !el.form || !el.form.classList.contains("intake-form")) { return; }
    if (el.tagName === "INPUT" && ["text", "search", "tel", "number", "email"].indexOf(el.type) !== -1) {
      event.preventDefault();
    }
  });

  function geolocate(button) {
    var form = button.form || document;
    var status = button.parentNode.querySelector(".geo-status");
    var lat = form.querySelector("[name=latitude]");
    var lng = form.querySelector("[name=longitude]");
    if (!navigator.geolocation || !lat || !lng) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) { status.textContent = button.getAttribute("data-wait") || "…"; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        if (status) { status.textContent = "✓"; }
      }, function () {
        if (status) { status.textContent = button.getAttribute("data-failed") || "✗"; }
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function watchPhotos(input) {
    var warning = input.form && input.form.querySelector("[data-photo-warning]");
    var maxFiles = parseInt(input.getAttribute("data-max-files"), 10) || 3;
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
    if (!warning) { return; }
    input.addEventListener("change", function () {
      var messages = [];
      if (input.files.length > maxFiles) {
        messages.push(input.getAttribute("data-too-many") || "");
      }
      for (var i = 0; i < input.files.length; i++) {
        if (maxBytes && input.files[i].size > maxBytes) {
          messages.push((input.getAttribute("data-too-large") || "") + " " + input.files[i].name);
        }
      }
      warning.textContent = messages.join(" ");
    });
  }

  ready(function () {
    document.querySelectorAll("button[data-geolocate]").forEach(geolocate);
    document.querySelectorAll("input[type=file][name=photos]").forEach(watchPhotos);
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
