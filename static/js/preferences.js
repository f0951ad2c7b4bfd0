// Artist search as you type on the preferences page (onboarding and profile): asks the server
// (GET /api/v1/artists/?q=) and adds a chosen name to the artists field, one per line. Without
// this script the field is typed into by hand and the search box stays hidden.
(function () {
  "use strict";
  var box = document.querySelector("[data-artist-search]");
  var field = document.getElementById("id_likes_artists");
  if (!box || !field) return;
  var input = box.querySelector("input[type=search]");
  var results = box.querySelector(".artist-results");
  var status = box.querySelector("[role=status]");
  var timer = null;
  var asked = 0;
  box.hidden = false;

  function chosen() {
    return field.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function add(name) {
    var names = chosen();
    if (names.indexOf(name) === -1) names.push(name);
    field.value = names.join("\n");
    status.textContent = name + " added.";
    results.replaceChildren();
    input.value = "";
    input.focus();
  }

  function show(artists) {
    results.replaceChildren();
    artists.forEach(function (artist) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = "Add " + artist.name;
      button.setAttribute("aria-label", "Add " + artist.name + " (" + artist.songs + (artist.songs === 1 ? " song)" : " songs)"));
      button.addEventListener("click", function () { add(artist.name); });
      item.appendChild(button);
      results.appendChild(item);
    });
    status.textContent = artists.length ? artists.length + " found." : "No artist of that name in the catalogue.";
  }

  function search() {
    var q = input.value.trim();
    if (q.length < 2) { results.replaceChildren(); status.textContent = ""; return; }
    var mine = ++asked;
    fetch(box.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (artists) { if (mine === asked) show(artists); }) // only the latest answer counts
      .catch(function () { status.textContent = "Search is unavailable; type the name below."; });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); } // never submit the form from here
  });
})();
