// The one way our scripts read Django's CSRF token for the API (X-CSRFToken): the cookie, else
// the token of a form on the page. base.html loads it in the head, before every other script.
(function () {
  "use strict";
  window.symphony = window.symphony || {};
  window.symphony.csrfToken = function () {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };
})();
