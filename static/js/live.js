// Live mode (templates live/_control.html): while the list plays, read the mood again with a short
// webcam burst every few minutes of listening, and put the songs the server queues for it after the
// song playing (never cutting it). Readings go through the normal check-in API, then
// POST /api/v1/live/sessions/{id}/readings/; a reading on the device posts its result to the on-device API first.
//
// Nothing is read while the tab is hidden or the player is paused: the interval counts listening
// time only. The camera is on during a reading alone, and stopping live mode releases it at once.
(function () {
  "use strict";
  var TICK_MS = 1000;
  var WAIT_S = 10; // each status request waits server-side (long polling) for up to this
  var POLL_LIMIT = 30;
  var camera = window.symphonyCamera;

  function request(method, url, body) {
    var headers = { "X-CSRFToken": window.symphony.csrfToken(), Accept: "application/json" };
    if (body && !(body instanceof FormData)) { headers["Content-Type"] = "application/json"; body = JSON.stringify(body); }
    return fetch(url, { method: method, credentials: "same-origin", headers: headers, body: body }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) {
          var errors = (data && data.errors) || [];
          throw new Error(errors.map(function (e) { return e.detail; }).join(" ") || "Something went wrong (" + response.status + ").");
        }
        return data;
      });
    });
  }

  function Live(root) {
    this.root = root;
    this.scope = root.closest("[data-player-scope]") || document;
    this.player = this.scope.querySelector("[data-player]");
    this.toggle = root.querySelector("[data-live-toggle]");
    this.interval = root.querySelector("[data-live-interval]");
    this.renewButton = root.querySelector("[data-live-renew]");
    this.status = root.querySelector("[data-live-status]");
    this.readingBox = root.querySelector("[data-live-reading]");
    this.video = root.querySelector("[data-live-video]");
    this.manual = root.querySelector("[data-live-manual]");
    this.session = null;
    this.stream = null;
    this.generation = 0; // bumped by stop: a reading under way then comes to nothing
    this.listened = 0;
    this.busy = false;
    root.hidden = false;
    if (!this.toggle) return; // no consent: the control only says how to give it
    var self = this;
    this.toggle.addEventListener("click", function () { if (self.session) self.stop("Live mode is off."); else self.start(); });
    this.renewButton.addEventListener("click", function () { self.renew(); });
  }

  Live.prototype.say = function (text) { this.status.textContent = text; };

  Live.prototype.show = function (on) {
    this.toggle.textContent = on ? "Stop live mode" : "Start live mode";
    this.toggle.setAttribute("aria-pressed", on ? "true" : "false");
    this.renewButton.hidden = !on;
    this.interval.disabled = on;
    this.root.dataset.on = on ? "1" : "";
  };

  Live.prototype.start = function () {
    var self = this;
    this.toggle.disabled = true;
    var body = { recommendation: Number(this.root.dataset.recommendation), interval_minutes: Number(this.interval.value) };
    request("POST", this.root.dataset.sessions, body).then(function (session) {
      self.session = session;
      self.listened = 0;
      self.show(true);
      var minutes = Math.round(session.interval_seconds / 6) / 10;
      self.say("Live mode is on: your mood is read every " + minutes + " minute" + (minutes === 1 ? "" : "s") +
        " of listening. Press Play all if the music is not playing.");
      self.timer = setInterval(function () { self.tick(); }, TICK_MS);
    }).catch(function (err) { self.say(err.message); }).then(function () { self.toggle.disabled = false; });
  };

  Live.prototype.playing = function () {
    return Boolean(this.player) && this.player.dataset.state === "playing";
  };

  Live.prototype.tick = function () {
    if (!this.session || this.busy) return;
    if (Date.now() >= Date.parse(this.session.ends_at)) { this.stop("Live mode stopped after an hour. Start it again to go on."); return; }
    if (document.visibilityState !== "visible" || !this.playing()) return;
    this.listened += TICK_MS / 1000;
    if (this.listened >= this.session.interval_seconds) this.read();
  };

  Live.prototype.releaseCamera = function () {
    camera.close(this.video, this.stream);
    this.stream = null;
    this.readingBox.hidden = true;
  };

  // The songs of the list reached so far (the one playing included): never queued again.
  Live.prototype.heard = function () {
    var rows = Array.prototype.slice.call(this.scope.querySelectorAll(".song-list > li"));
    var now = this.scope.querySelector(".song-list > li.now-playing");
    var upTo = now ? rows.indexOf(now) : -1;
    return rows.slice(0, upTo + 1).map(function (row) { return Number(row.querySelector("[data-track]").dataset.track); });
  };

  Live.prototype.read = function () {
    var self = this, generation = this.generation, session = this.session;
    var current = function () { return generation === self.generation; };
    this.busy = true;
    this.readingBox.hidden = false;
    this.say("Reading your mood…");
    camera.open(this.video).then(function (stream) {
      self.stream = stream;
      if (!current()) { camera.close(self.video, stream); throw null; }
      return camera.burst(self.video);
    }).then(function (frames) {
      self.releaseCamera(); // off as soon as the frames are taken
      if (!current()) throw null;
      // On the device when the listener chose it and this browser can (only the result is sent).
      var reader = self.root.dataset.onDeviceApi && window.symphonyOnDeviceReader;
      if (reader) return reader.read(frames.map(function (f) { return f.blob; }));
      var data = new FormData();
      frames.forEach(function (f, i) { data.append("frames", f.blob, "frame" + i + ".jpg"); });
      return request("POST", self.root.dataset.checkins, data);
    }).then(function (checkIn) {
      return checkIn.status === "done" || checkIn.status === "failed" ? checkIn : self.poll(checkIn.url, 0);
    }).then(function (checkIn) {
      if (!current()) throw null;
      var now = self.scope.querySelector(".song-list > li.now-playing [data-track]");
      var body = { check_in: checkIn.id, heard: self.heard() };
      if (now) body.playing = Number(now.dataset.track);
      return request("POST", session.url + "readings/", body);
    }).then(function (reading) {
      if (!current()) throw null;
      // Counted on the control, for tests and assistive checks: how many readings this page made.
      self.root.dataset.readings = String(Number(self.root.dataset.readings || 0) + 1);
      self.say(reading.message);
      self.manual.hidden = !reading.suggest_manual;
      if (reading.queue) return self.requeue(reading);
    }).catch(function (err) {
      self.releaseCamera();
      if (err && current()) self.say(err.message + " Live mode tries again at the next reading.");
    }).then(function () {
      if (current()) { self.listened = 0; self.busy = false; }
    });
  };

  Live.prototype.poll = function (url, polls) {
    var self = this;
    return fetch(url + "?wait=" + WAIT_S, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.status === "done" || body.status === "failed") return body;
        if (polls >= POLL_LIMIT) throw new Error("The reading is taking unusually long.");
        return self.poll(url, polls + 1);
      });
  };

  // Put the reading's songs after the one playing, in place of those not reached yet.
  Live.prototype.requeue = function (reading) {
    var self = this;
    return fetch(this.root.dataset.songs.replace(/0\/songs\/$/, reading.id + "/songs/"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("The new songs could not be loaded."); return r.text(); })
      .then(function (html) {
        var list = self.scope.querySelector(".song-list");
        var rows = Array.prototype.slice.call(list.children);
        var now = list.querySelector("li.now-playing");
        rows.slice(now ? rows.indexOf(now) + 1 : 0).forEach(function (row) { row.remove(); });
        var fresh = document.createElement("template");
        fresh.innerHTML = html;
        fresh.content.querySelectorAll("[data-play]").forEach(function (button) { button.hidden = false; });
        list.appendChild(fresh.content);
      });
  };

  Live.prototype.stop = function (message) {
    var session = this.session;
    this.generation += 1;
    this.releaseCamera();
    clearInterval(this.timer);
    this.session = null;
    this.busy = false;
    this.show(false);
    this.say(message);
    if (session) request("POST", session.url + "stop/").catch(function () { /* it ends within the hour anyway */ });
  };

  Live.prototype.renew = function () {
    var self = this;
    if (!this.session) return;
    request("POST", this.session.url + "renew/").then(function (session) {
      self.session.ends_at = session.ends_at;
      self.say("Live mode runs for another hour.");
    }).catch(function (err) { self.stop(err.message); });
  };

  // Starts the page's new live controls only: called again after the result page swaps in its result.
  function init() {
    document.querySelectorAll("[data-live]:not([data-ready])").forEach(function (root) {
      root.dataset.ready = "1";
      new Live(root);
    });
  }

  window.symphonyLive = { init: init };
  init();
})();
