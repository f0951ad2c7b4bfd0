// A local fake of Spotify's iFrame API (https://open.spotify.com/embed/iframe-api/v1) for the
// browser tests: the documented surface only. Once loaded it calls
// window.onSpotifyIframeApiReady(IFrameAPI); IFrameAPI.createController(element, options,
// callback) replaces the element with the embed's iframe and hands the callback a controller
// whose addListener("playback_update", fn) gets {data: {position, duration, isPaused}} in ms.
// The test drives playback: window.fakeSpotify.play(fromSeconds, toSeconds) emits one update
// per simulated second every 20 ms, then a paused one.
(function () {
  "use strict";
  var controllers = [];

  function Controller(frame) {
    this.frame = frame;
    this.listeners = {};
    this.position = 0;
  }
  Controller.prototype.addListener = function (name, fn) {
    (this.listeners[name] = this.listeners[name] || []).push(fn);
  };
  Controller.prototype.emit = function (name, data) {
    (this.listeners[name] || []).forEach(function (fn) { fn({ data: data }); });
  };

  var IFrameAPI = {
    createController: function (element, options, callback) {
      var frame = document.createElement("iframe");
      frame.src = "https://open.spotify.com/embed/track/" + String(options.uri).split(":").pop();
      frame.title = "Spotify (fake API)";
      element.replaceWith(frame);
      var controller = new Controller(frame);
      controllers.push(controller);
      callback(controller);
    },
  };

  window.fakeSpotify = {
    controllers: controllers,
    play: function (from, to, duration) {
      var controller = controllers[controllers.length - 1];
      var ms = (duration || 180) * 1000;
      var second = from;
      return new Promise(function (done) {
        var timer = setInterval(function () {
          var paused = second > to;
          controller.emit("playback_update", { position: Math.min(second, to) * 1000, duration: ms, isPaused: paused });
          second += 1;
          if (paused) { clearInterval(timer); done(); }
        }, 20);
      });
    },
  };
  setTimeout(function () { window.onSpotifyIframeApiReady(IFrameAPI); }, 0);
})();
