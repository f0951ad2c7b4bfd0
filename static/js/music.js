// Like / dislike / played / skip without a page reload: POST to the feedback API (the body's
// data-feedback-api) with the CSRF token (csrf.js).
// Also the one way the player (player.js) sends its events: window.musicFeedback.post(body).
(function () {
  "use strict";

  var LABELS = { like: "Liked", dislike: "Disliked — we will not suggest it again", played: "Marked as played", skipped: "Skipped" };

  // keepalive lets an event sent as the listener leaves the page still arrive.
  function post(body) {
    return fetch(document.body.dataset.feedbackApi, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": window.symphony.csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body),
    });
  }
  window.musicFeedback = { post: post };

  function send(group, button) {
    var kind = button.dataset.kind;
    var status = group.querySelector(".feedback-status");
    var body = { song: Number(group.dataset.song), kind: kind };
    if (group.dataset.recommendation) body.recommendation = Number(group.dataset.recommendation);
    button.disabled = true;
    post(body)
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

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".feedback button[data-kind]");
    if (!button) return;
    event.preventDefault();
    send(button.closest(".feedback"), button);
  });
})();
