// A local fake of YouTube's IFrame Player API (https://www.youtube.com/iframe_api) for the
// browser tests: the documented surface only. Once loaded it defines YT (Player,
// PlayerState) and calls window.onYouTubeIframeAPIReady(); new YT.Player(element or id,
// {events: {onReady, onStateChange}}) attaches to the iframe, getCurrentTime() and
// getDuration() answer in seconds. The test drives playback: window.fakeYouTube.play(seconds)
// plays from the current time in real time, then pauses.
(function () {
  "use strict";
  var players = [];
  var PlayerState = { UNSTARTED: -1, ENDED: 0, PLAYING: 1, PAUSED: 2, BUFFERING: 3, CUED: 5 };

  function Player(element, options) {
    this.element = typeof element === "string" ? document.getElementById(element) : element;
    this.events = (options && options.events) || {};
    this.time = 0;
    this.duration = 240;
    players.push(this);
    var self = this;
    setTimeout(function () { if (self.events.onReady) self.events.onReady({ target: self }); }, 0);
  }
  Player.prototype.getCurrentTime = function () { return this.time; };
  Player.prototype.getDuration = function () { return this.duration; };
  Player.prototype.setState = function (state) {
    if (this.events.onStateChange) this.events.onStateChange({ target: this, data: state });
  };

  window.YT = { Player: Player, PlayerState: PlayerState };
  window.fakeYouTube = {
    players: players,
    play: function (seconds) {
      var player = players[players.length - 1];
      var until = player.time + seconds;
      var started = Date.now() - player.time * 1000;
      player.setState(PlayerState.PLAYING);
      return new Promise(function (done) {
        var timer = setInterval(function () {
          player.time = Math.min(until, (Date.now() - started) / 1000);
          if (player.time >= until) {
            clearInterval(timer);
            player.setState(PlayerState.PAUSED);
            done();
          }
        }, 50);
      });
    },
  };
  setTimeout(function () { if (window.onYouTubeIframeAPIReady) window.onYouTubeIframeAPIReady(); }, 0);
})();
