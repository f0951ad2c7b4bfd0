// The webcam, one way for every page that reads a face (the "How are you feeling?" page, live mode):
// open the camera, take a burst of frames, and close it. window.symphonyCamera = {open, burst,
// close, errorText, thumbnail}.
(function () {
  "use strict";
  var BURST_FRAMES = 5;
  var BURST_INTERVAL_MS = 450;
  var THUMB_MAX = 480;

  // getUserMedia's failures (DOMException names) in plain words; the exception's name means nothing to a person.
  var CAMERA_ERRORS = {
    NotFoundError: "No camera was found on this device.",
    OverconstrainedError: "No camera was found on this device.",
    NotAllowedError: "Camera access was blocked; allow it in the browser's settings.",
    SecurityError: "Camera access was blocked; allow it in the browser's settings.",
    NotReadableError: "The camera is in use by another app, or it stopped working. Close the other app and try again.",
    AbortError: "The camera stopped before it started. Please try again."
  };

  function errorText(err) {
    return CAMERA_ERRORS[err && err.name] || "We couldn't start your camera. Please try again.";
  }

  // Scaled copy of an image or video frame as a data URL.
  function thumbnail(source, width, height) {
    var scale = Math.min(1, THUMB_MAX / Math.max(width, height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.8);
  }

  // Start the camera into `video`; resolves with the stream once frames arrive.
  function open(video) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject(new Error("This browser can't use a webcam here."));
    }
    return navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 640 } }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        var playing = video.play && video.play();
        if (playing && playing.catch) playing.catch(function () { /* muted autoplay; frames still arrive */ });
        return stream;
      }, function (err) { throw new Error(errorText(err)); });
  }

  // Stop every track at once (the camera light goes off) and detach the video.
  function close(video, stream) {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    if (video) video.srcObject = null;
  }

  var READY_WAIT_MS = 5000;

  function ready(video) {
    var deadline = Date.now() + READY_WAIT_MS;
    return new Promise(function (resolve, reject) {
      (function check() {
        if (video.videoWidth) resolve();
        else if (!video.srcObject || Date.now() > deadline) reject(new Error("The camera is not ready."));
        else setTimeout(check, 50);
      })();
    });
  }

  function grabFrame(video) {
    var canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    var ctx = canvas.getContext("2d");
    ctx.drawImage(video, 0, 0);
    // Average brightness from a coarse sample: enough to tell a dark room.
    var pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    var sum = 0, count = 0;
    for (var i = 0; i < pixels.length; i += 4 * 97) {
      sum += 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
      count += 1;
    }
    return new Promise(function (resolve) {
      canvas.toBlob(function (blob) {
        resolve({ blob: blob, luma: count ? sum / count : 0, thumb: thumbnail(canvas, canvas.width, canvas.height) });
      }, "image/jpeg", 0.9);
    });
  }

  // A burst of frames from a playing video: [{blob, luma, thumb}].
  function burst(video) {
    var frames = [];
    return ready(video).then(function () {
      return new Promise(function (resolve, reject) {
        function next() {
          // A camera closed halfway (live mode stopped) ends the burst.
          if (!video.videoWidth) { reject(new Error("The camera stopped.")); return; }
          grabFrame(video).then(function (frame) {
            frames.push(frame);
            if (frames.length >= BURST_FRAMES) resolve(frames);
            else setTimeout(next, BURST_INTERVAL_MS);
          }, reject);
        }
        next();
      });
    });
  }

  window.symphonyCamera = { open: open, close: close, burst: burst, errorText: errorText, thumbnail: thumbnail, THUMB_MAX: THUMB_MAX };
})();
