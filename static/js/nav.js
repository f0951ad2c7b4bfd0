// The top navigation on a phone: closed behind a "Menu" button, so the header stays one line.
// Without this script the button stays hidden and every link shows (the page works as before).
(function () {
  "use strict";
  var bar = document.querySelector(".topbar");
  var button = bar && bar.querySelector(".menu-toggle");
  if (!button) return;
  var phone = window.matchMedia("(max-width: 600px)");

  function set(open) {
    bar.classList.toggle("menu-closed", !open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  button.hidden = false;
  button.addEventListener("click", function () { set(bar.classList.contains("menu-closed")); });
  // Closed on a phone, open on a wider screen (where the button is not shown).
  function fit() { set(!phone.matches); }
  if (phone.addEventListener) phone.addEventListener("change", fit);
  fit();
})();
