// Like / dislike / played / skip without a page reload: POST /api/v1/feedback/ with the CSRF token.
(function () {
  "use strict";
  if (window.musicFeedbackReady) return; // the script may be included by several partials
  window.musicFeedbackReady = true;

  var LABELS = { like: "Liked", dislike: "Disliked — we will not suggest it again", played: "Marked as played", skipped: "Skipped" };

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(group, button) {
    var kind = button.dataset.kind;
    var status = group.querySelector(".feedback-status");
    var body = { song: Number(group.dataset.song), kind: kind };
    if (group.dataset.recommendation) body.recommendation = Number(group.dataset.recommendation);
    button.disabled = true;
    fetch("/api/v1/feedback/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status === 404 ? "This song is no longer available." : "Could not save (" + response.status + ").");
        if (kind === "like" || kind === "dislike") {
          group.querySelectorAll("[data-kind=like],[data-kind=dislike]").forEach(function (b) {
            b.setAttribute("aria-pressed", b.dataset.kind === kind ? "true" : "false");
          });
        }
        status.textContent = LABELS[kind];
        status.classList.remove("error");
      })
      .catch(function (error) {
        status.textContent = error.message || "Could not save; check your connection.";
        status.classList.add("error");
      })
      .finally(function () {
        button.disabled = false;
      });
  }

  // Playing a preview counts as "played", once per page view.
  document.addEventListener(
    "play",
    function (event) {
      var audio = event.target;
      if (!audio.matches || !audio.matches("audio.preview") || audio.dataset.reported) return;
      var row = audio.closest(".song-row");
      var group = row && row.querySelector(".feedback");
      var button = group && group.querySelector("[data-kind=played]");
      if (!button) return;
      audio.dataset.reported = "1";
      send(group, button);
    },
    true
  );

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".feedback button[data-kind]");
    if (!button) return;
    event.preventDefault();
    send(button.closest(".feedback"), button);
  });
})();
