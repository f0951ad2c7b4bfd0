// The in-page player: play/pause per song, "Play all" as a queue that advances on its own,
// previous/next, a now-playing display and keyboard control (K, Shift+N, Shift+P, media keys).
//
// Markup (templates/music/_player.html and _song.html): a [data-player] section inside a
// [data-player-scope]; each song is a [data-track] element (its id) whose data-* attributes carry its
// title, artist, mood, preview, artwork and embed URLs. Without JavaScript the player stays
// hidden and the plain links in each row remain.
//
// Sources, in order: the preview in an <audio>; else, only after the listener's click, the
// provider's embedded player (YouTube without cookies, or Spotify); else the links.
//
// Implicit feedback: listening to 30 s or 80% of a song sends "played"; leaving it for another
// song within its first 10 s sends "skipped". Each at most once per song on this page, with the
// position, through the feedback API, which also stores it once per song and list (a retry never
// counts twice). A preview tells its position itself; an embed only through its provider's
// player API (Spotify's iFrame API, YouTube's IFrame API), which is loaded from the provider's
// host only after the listener's click on an embed (data-*-api on the player: its address). If
// the API does not load, the embed plays all the same and nothing is recorded.
(function () {
  "use strict";
  var PLAYED_SECONDS = 30;
  var PLAYED_SHARE = 0.8;
  var SKIP_WITHIN_SECONDS = 10;
  var SEEK_SECONDS = 3; // a larger jump between two position updates is a seek, not listening
  var API_WAIT_MS = 3000; // how long Spotify's embed waits for its API before playing without it
  var YOUTUBE_POLL_MS = 500; // YouTube's API tells state changes, not the position: poll it
  var players = [];
  var apis = {}; // provider -> Promise of its API object, or of null when it did not load

  // Load a provider's player API once, on first use. It announces itself through a global
  // callback; an error or no answer in time resolves to null (then nothing is recorded).
  function loadApi(provider, url) {
    if (apis[provider]) return apis[provider];
    apis[provider] = new Promise(function (resolve) {
      if (!url) return resolve(null);
      var settle = function (api) { resolve(api || null); settle = function () {}; };
      if (provider === "spotify") window.onSpotifyIframeApiReady = function (api) { settle(api); };
      else window.onYouTubeIframeAPIReady = function () { settle(window.YT); };
      var script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onerror = function () { settle(null); };
      document.head.appendChild(script);
      setTimeout(function () { settle(null); }, API_WAIT_MS);
    });
    return apis[provider];
  }

  function fmt(seconds) {
    if (!isFinite(seconds) || seconds < 0) seconds = 0;
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function Player(root) {
    this.root = root;
    this.scope = root.closest("[data-player-scope]") || document;
    this.audio = root.querySelector("[data-np-audio]");
    this.embed = root.querySelector("[data-np-embed]");
    this.title = root.querySelector("[data-np-title]");
    this.note = root.querySelector("[data-np-note]");
    this.elapsed = root.querySelector("[data-np-elapsed]");
    this.total = root.querySelector("[data-np-total]");
    this.progress = root.querySelector("[data-np-progress]");
    this.artwork = root.querySelector("[data-np-artwork]");
    this.placeholder = root.querySelector("[data-np-placeholder]");
    this.toggleButton = root.querySelector("[data-action=toggle]");
    this.current = null; // the [data-track] element playing (or shown)
    this.queueMode = false;
    this.sent = {};
    this.apiUrls = { spotify: root.dataset.spotifyApi, youtube: root.dataset.youtubeApi };
    this.session = null; // the embed playing now, while its API reports: {position, duration}
    this.resetListening();
    this.bind();
    root.hidden = false;
    this.songs().forEach(function (song) {
      var button = song.querySelector("[data-play]");
      if (button) button.hidden = false;
    });
  }

  Player.prototype.songs = function () {
    return Array.prototype.slice.call(this.scope.querySelectorAll("[data-track]"));
  };

  Player.prototype.playable = function (song) {
    return Boolean(song.dataset.preview || song.dataset.embed);
  };

  Player.prototype.resetListening = function () {
    this.listened = 0; // seconds actually heard (seeking does not count)
    this.lastTime = 0;
  };

  Player.prototype.bind = function () {
    var self = this;
    var audio = this.audio;
    audio.addEventListener("timeupdate", function () {
      var delta = audio.currentTime - self.lastTime;
      if (delta > 0 && delta < 1.5) self.listened += delta;
      self.lastTime = audio.currentTime;
      self.showTime();
      var duration = isFinite(audio.duration) ? audio.duration : Infinity;
      if (self.listened >= Math.min(PLAYED_SECONDS, PLAYED_SHARE * duration)) self.report("played");
    });
    audio.addEventListener("play", function () { self.showState(); });
    audio.addEventListener("pause", function () { self.showState(); });
    audio.addEventListener("loadedmetadata", function () { self.showTime(); });
    audio.addEventListener("ended", function () {
      self.report("played");
      self.showState();
      if (self.queueMode) self.step(1, true);
    });
    audio.addEventListener("error", function () {
      // A preview that cannot be loaded (gone, or a host the page may not use): fall back.
      if (!self.current || !audio.getAttribute("src")) return;
      var song = self.current;
      song.dataset.preview = "";
      if (song.dataset.embed) self.start(song);
      else {
        self.setNote("This preview cannot be played. Use the links in the list.");
        if (self.queueMode) self.step(1, true);
      }
    });
    this.root.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action]");
      if (!button) return;
      var action = button.dataset.action;
      if (action === "toggle") self.toggle();
      else if (action === "next") self.step(1, false);
      else if (action === "previous") self.step(-1, false);
      else if (action === "play-all") self.playAll();
    });
  };

  // Seconds into the song playing now, or null when the page cannot know (an embed without its API).
  Player.prototype.position = function () {
    if (!this.current) return null;
    if (this.current.dataset.preview) return this.audio.currentTime;
    return this.session && this.session.reported ? this.session.position : null;
  };

  // A position report from an embed's API, the twin of the <audio>'s timeupdate.
  Player.prototype.embedProgress = function (session, position, duration, playing) {
    if (session !== this.session) return; // from an embed already left
    var delta = position - this.lastTime;
    if (playing && delta > 0 && delta < SEEK_SECONDS) this.listened += delta;
    this.lastTime = position;
    session.position = position;
    session.reported = true;
    this.root.dataset.reporting = "";
    if (duration > 0) session.duration = duration;
    this.showTime();
    if (this.listened >= Math.min(PLAYED_SECONDS, PLAYED_SHARE * (session.duration || Infinity))) this.report("played");
  };

  Player.prototype.report = function (kind) {
    var song = this.current;
    var position = this.position();
    if (!song || position === null) return;
    var key = song.dataset.track + ":" + kind;
    if (this.sent[key] || (kind === "skipped" && this.sent[song.dataset.track + ":played"])) return;
    this.sent[key] = true;
    var body = { song: Number(song.dataset.track), kind: kind, position: Math.round(position * 100) / 100 };
    // A row queued by live mode belongs to the list that queued it.
    var row = song.closest("li[data-recommendation]");
    var list = (row && row.dataset.recommendation) || this.root.dataset.recommendation;
    if (list) body.recommendation = Number(list);
    if (this.root.dataset.playlist) body.playlist = Number(this.root.dataset.playlist);
    var status = song.closest("li") && song.closest("li").querySelector(".feedback-status");
    var label = kind === "played" ? "Counted as played" : "Counted as skipped";
    var attempt = function (retries) {
      return window.musicFeedback.post(body).then(function (response) {
        if (!response.ok && response.status >= 500 && retries > 0) return attempt(retries - 1);
        if (status && response.ok) { status.textContent = label; status.classList.remove("error"); }
      }, function () {
        // The server stores an event once per song and list, so retrying is safe.
        if (retries > 0) return new Promise(function (r) { setTimeout(r, 2000); }).then(function () { return attempt(retries - 1); });
      });
    };
    attempt(2);
  };

  // Leaving a song (for another one) within its first seconds is a skip.
  Player.prototype.leave = function () {
    var position = this.position();
    if (position !== null && this.listened > 0 && position < SKIP_WITHIN_SECONDS) this.report("skipped");
    this.audio.pause();
    this.clearEmbed();
  };

  Player.prototype.clearEmbed = function () {
    if (this.session && this.session.timer) clearInterval(this.session.timer);
    this.session = null;
    delete this.root.dataset.reporting;
    this.embed.textContent = "";
    this.embed.hidden = true;
  };

  Player.prototype.embedFrame = function (song, url) {
    var frame = document.createElement("iframe");
    frame.src = url;
    frame.title = song.dataset.embedLabel + " player: " + song.dataset.title;
    frame.allow = "autoplay; encrypted-media; picture-in-picture";
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.className = "np-frame np-frame-" + (song.dataset.embedLabel === "Spotify" ? "spotify" : "video");
    return frame;
  };

  // YouTube's API attaches to the iframe already playing (it must have enablejsapi=1), so the
  // video starts at once whether or not the API comes.
  Player.prototype.startYouTube = function (song, session) {
    var self = this;
    var url = new URL(song.dataset.embed);
    url.searchParams.set("enablejsapi", "1");
    url.searchParams.set("origin", window.location.origin);
    var frame = this.embedFrame(song, url.href);
    this.embed.appendChild(frame);
    loadApi("youtube", this.apiUrls.youtube).then(function (YT) {
      if (!YT || !YT.Player || session !== self.session) return;
      var player;
      var read = function (playing) {
        self.embedProgress(session, Number(player.getCurrentTime()) || 0, Number(player.getDuration()) || 0, playing);
      };
      var onStateChange = function (event) {
        var playing = event.data === YT.PlayerState.PLAYING;
        if (session.timer) clearInterval(session.timer);
        session.timer = playing ? setInterval(function () { read(true); }, YOUTUBE_POLL_MS) : null;
        read(playing || event.data === YT.PlayerState.ENDED);
        if (event.data === YT.PlayerState.ENDED) self.report("played");
      };
      try {
        player = new YT.Player(frame, { events: { onStateChange: onStateChange } });
      } catch (e) { /* the embed plays on without reporting */ }
    });
  };

  // Spotify's API builds its own iframe: wait briefly for it, else insert the plain embed.
  Player.prototype.startSpotify = function (song, session) {
    var self = this;
    var holder = document.createElement("div");
    this.embed.appendChild(holder);
    var plain = function () { if (holder.parentNode) holder.replaceWith(self.embedFrame(song, song.dataset.embed)); };
    var id = (song.dataset.embed.match(/\/track\/([0-9A-Za-z]+)/) || [])[1];
    loadApi("spotify", id && this.apiUrls.spotify).then(function (api) {
      if (session !== self.session) return;
      if (!api || !api.createController) return plain();
      try {
        api.createController(holder, { uri: "spotify:track:" + id, width: "100%", height: 152 }, function (controller) {
          controller.addListener("playback_update", function (event) {
            var data = (event && event.data) || {};
            self.embedProgress(session, (data.position || 0) / 1000, (data.duration || 0) / 1000, !data.isPaused);
          });
        });
      } catch (e) { plain(); }
    });
  };

  Player.prototype.start = function (song) {
    if (song !== this.current) this.leave();
    this.current = song;
    this.resetListening();
    this.root.dataset.mode = song.dataset.preview ? "preview" : song.dataset.embed ? "embed" : "links";
    this.showSong(song);
    if (song.dataset.preview) {
      this.clearEmbed();
      if (this.audio.getAttribute("src") !== song.dataset.preview) this.audio.src = song.dataset.preview;
      this.audio.currentTime = 0;
      var self = this;
      var playing = this.audio.play();
      if (playing && playing.catch) playing.catch(function () { self.showState(); });
      this.setNote("");
    } else if (song.dataset.embed) {
      this.audio.pause();
      this.audio.removeAttribute("src");
      this.clearEmbed();
      this.session = { position: 0, duration: 0, reported: false, timer: null };
      if (song.dataset.embedLabel === "Spotify") this.startSpotify(song, this.session);
      else this.startYouTube(song, this.session);
      this.embed.hidden = false;
      this.setNote("Playing on " + song.dataset.embedLabel + (this.queueMode ? " — press Next for the next song." : "."));
    } else {
      this.audio.pause();
      this.setNote("No preview for this song: open it on YouTube or Spotify with the links in the list.");
    }
    this.showState();
  };

  Player.prototype.toggle = function (song) {
    song = song || this.current;
    if (!song) return this.playAll();
    if (song !== this.current) { this.queueMode = false; return this.start(song); }
    if (song.dataset.preview) {
      if (this.audio.paused) this.audio.play();
      else this.audio.pause();
    } else if (song.dataset.embed) {
      if (this.embed.hidden) this.start(song);
      else { this.clearEmbed(); this.showState(); }
    }
  };

  Player.prototype.playAll = function () {
    var first = this.songs().filter(this.playable.bind(this))[0];
    this.queueMode = true;
    if (!first) { this.setNote("None of these songs can be played here: use the YouTube and Spotify links."); return; }
    this.start(first);
  };

  Player.prototype.step = function (direction, automatic) {
    var songs = this.songs().filter(this.playable.bind(this));
    if (!songs.length) return;
    var index = songs.indexOf(this.current);
    var next = songs[index + direction];
    if (!next) {
      if (automatic) { this.leave(); this.queueMode = false; this.setNote("End of the list."); this.showState(); }
      return;
    }
    this.start(next);
  };

  Player.prototype.showSong = function (song) {
    this.title.textContent = song.dataset.title + " — " + song.dataset.artist;
    this.placeholder.className = "art-placeholder art-" + (song.dataset.mood || "neutral");
    if (song.dataset.artwork) {
      this.artwork.src = song.dataset.artwork;
      this.artwork.hidden = false;
      this.placeholder.hidden = true;
    } else {
      this.artwork.hidden = true;
      this.artwork.removeAttribute("src");
      this.placeholder.hidden = false;
    }
    if ("mediaSession" in navigator && window.MediaMetadata) {
      var art = song.dataset.artwork ? [{ src: song.dataset.artwork, sizes: "100x100" }] : [];
      navigator.mediaSession.metadata = new MediaMetadata({ title: song.dataset.title, artist: song.dataset.artist, artwork: art });
    }
    this.showTime();
  };

  Player.prototype.showTime = function () {
    var preview = this.current && this.current.dataset.preview;
    var position = this.position() || 0;
    var total = preview ? (isFinite(this.audio.duration) ? this.audio.duration : 0) : (this.session && this.session.duration) || 0;
    this.elapsed.textContent = fmt(position);
    this.total.textContent = fmt(total);
    this.progress.max = total || 1;
    this.progress.value = total ? position : 0;
  };

  Player.prototype.showState = function () {
    var self = this;
    var playing = function (song) {
      if (song !== self.current) return false;
      if (song.dataset.preview) return !self.audio.paused;
      return Boolean(song.dataset.embed) && !self.embed.hidden;
    };
    var current = this.current && playing(this.current);
    // For live mode (live.js), which reads the mood only while the music plays.
    this.root.dataset.state = current ? "playing" : "paused";
    this.toggleButton.textContent = current ? "Pause" : "Play";
    this.toggleButton.setAttribute("aria-pressed", current ? "true" : "false");
    this.songs().forEach(function (song) {
      var on = playing(song);
      var row = song.closest("li");
      if (row) row.classList.toggle("now-playing", song === self.current);
      var button = song.querySelector("[data-play]");
      if (!button) return;
      button.textContent = on ? "Pause" : "Play";
      button.setAttribute("aria-label", button.textContent + " " + song.dataset.title + " by " + song.dataset.artist);
    });
  };

  Player.prototype.setNote = function (text) {
    this.note.textContent = text;
  };

  function playerFor(element) {
    for (var i = 0; i < players.length; i++) {
      if (!document.contains(players[i].root)) continue;
      if (players[i].scope === document || players[i].scope.contains(element)) return players[i];
    }
    return null;
  }

  // Starts the page's new players only: called again after the result page swaps in its result.
  function init() {
    document.querySelectorAll("[data-player]:not([data-ready])").forEach(function (root) {
      root.dataset.ready = "1";
      players = players.filter(function (p) { return document.contains(p.root); });
      players.push(new Player(root));
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-play]");
    if (!button) return;
    var song = button.closest("[data-track]");
    var player = song && playerFor(song);
    if (!player) return;
    event.preventDefault();
    player.toggle(song);
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var player = players.filter(function (p) { return document.contains(p.root); })[0];
    if (!player) return;
    // Every shortcut needs Shift, so typing or speech input never starts the music (WCAG 2.1.4).
    if (!event.shiftKey) return;
    var key = event.key;
    if (key === "K") player.toggle();
    else if (key === "N") player.step(1, false);
    else if (key === "P") player.step(-1, false);
    else return;
    event.preventDefault();
  });
  if ("mediaSession" in navigator) {
    var handlers = {
      play: function (p) { p.toggle(); },
      pause: function (p) { p.toggle(); },
      nexttrack: function (p) { p.step(1, false); },
      previoustrack: function (p) { p.step(-1, false); },
    };
    Object.keys(handlers).forEach(function (action) {
      try {
        navigator.mediaSession.setActionHandler(action, function () {
          var player = players[0];
          if (player) handlers[action](player);
        });
      } catch (e) { /* an action this browser does not support */ }
    });
  }
  window.musicPlayer = { init: init };
  init();
})();
