// "How are you feeling?" page: drag and drop, the photo preview, the webcam, and words (alone or
// with a photo or the webcam). Every way is a submit button of #upload-form and goes out one way,
// checkIn(): one request to the check-in API, then the result page at once, which waits for the
// analysis. Without JavaScript the same form (and the emotion buttons) posts normally.
(function () {
  "use strict";
  var THUMB_MAX = window.symphonyCamera.THUMB_MAX;
  var TOO_DARK_LUMA = 28;

  var form = document.getElementById("upload-form");
  var apiUrl = form.dataset.api;
  var resultUrl = function (id) { return form.dataset.result.replace(/0\/$/, id + "/"); };
  var errorBox = document.getElementById("feel-error");

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // The API's one error shape (docs/api.md, "Errors"): {type, errors: [{code, detail, attr}]},
  // every broken rule an entry; the messages are written for a person.
  function errorText(body, status) {
    var errors = body && Array.isArray(body.errors) ? body.errors : [];
    var details = errors
      .map(function (error) { return error && error.detail; })
      .filter(function (detail) { return typeof detail === "string" && detail; });
    if (details.length) return details.join(" ");
    if (status === 413) return "That file is too large.";
    return "Something went wrong (" + status + "). Please try again.";
  }

  // Thumbnails are kept in this tab only (sessionStorage), so the result page can show the photo
  // even when the server deleted it.
  var camera = window.symphonyCamera;
  var thumbnail = camera.thumbnail;

  function keepThumbs(id, thumbs) {
    try {
      // Only the latest check-in's pictures stay in the tab: faces are not hoarded, even locally.
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf("symphony-thumbs-") === 0) sessionStorage.removeItem(key);
      });
      sessionStorage.setItem("symphony-thumbs-" + id, JSON.stringify(thumbs));
    } catch (e) { /* storage full or off: the result page shows no preview */ }
  }

  function post(formData) {
    return fetch(apiUrl, {
      method: "POST", body: formData, credentials: "same-origin",
      headers: { "X-CSRFToken": window.symphony.csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok) throw new Error(errorText(body, response.status));
        return body;
      });
    });
  }

  // --- Upload ------------------------------------------------------------
  var input = document.getElementById("image-input");
  var drop = document.getElementById("dropzone");
  var preview = document.getElementById("upload-preview");
  var uploadThumb = null;

  function previewFile(file) {
    uploadThumb = null;
    preview.hidden = true;
    if (!file) return;
    var url = URL.createObjectURL(file);
    var img = new Image();
    img.onload = function () {
      uploadThumb = thumbnail(img, img.naturalWidth, img.naturalHeight);
      preview.width = Math.round(Math.min(1, THUMB_MAX / Math.max(img.naturalWidth, img.naturalHeight)) * img.naturalWidth);
      preview.height = Math.round(Math.min(1, THUMB_MAX / Math.max(img.naturalWidth, img.naturalHeight)) * img.naturalHeight);
      preview.getContext("2d").drawImage(img, 0, 0, preview.width, preview.height);
      preview.hidden = false;
      URL.revokeObjectURL(url);
    };
    // Not an image the browser can show: the server will say what is wrong with it.
    img.onerror = function () { URL.revokeObjectURL(url); };
    img.src = url;
  }

  input.addEventListener("change", function () { showError(""); previewFile(input.files[0]); });
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    input.files = e.dataTransfer.files;
    showError("");
    previewFile(input.files[0]);
  });

  // --- Words: on their own ("Read my words"), or going with the photo or the webcam burst --
  var wordsBox = document.getElementById("words-text");
  var forgetWords = document.getElementById("words-forget");

  function addWords(data) {
    if (!wordsBox.value.trim()) return;
    data.append("text", wordsBox.value);
    data.append("keep_text", forgetWords.checked ? "false" : "true");
  }

  // --- Webcam ------------------------------------------------------------
  var video = document.getElementById("webcam-video");
  var startButton = document.getElementById("webcam-start");
  var captureButton = document.getElementById("webcam-capture");
  var statusLine = document.getElementById("webcam-status");

  function say(text, offerUpload) {
    statusLine.textContent = text;
    if (offerUpload) {
      var link = document.createElement("a");
      link.href = "#upload";
      link.textContent = " Upload a photo instead.";
      link.addEventListener("click", function () { input.focus(); });
      statusLine.appendChild(link);
    }
  }

  startButton.addEventListener("click", function () {
    say("Starting the camera…");
    camera.open(video)
      .then(function () {
        video.hidden = false;
        startButton.hidden = true;
        captureButton.hidden = false;
        say("Look at the camera, then press Capture.");
      })
      .catch(function (err) {
        say(err.message, true);
      });
  });

  // --- Submitting: every way through checkIn() -------------------------------
  // What a way takes: {field, files: [{blob, name}], thumbs}; rejects with a message for the person.
  function take(way) {
    if (way === "words") {
      if (!wordsBox.value.trim()) { wordsBox.focus(); return Promise.reject(new Error("Write a few words first.")); }
      return Promise.resolve({ field: null, files: [], thumbs: [] });
    }
    if (way === "webcam") {
      if (!video.videoWidth) return Promise.reject(new Error("The camera is not ready yet."));
      say("Capturing…");
      return camera.burst(video).then(function (frames) {
        var luma = frames.reduce(function (s, f) { return s + f.luma; }, 0) / frames.length;
        if (luma < TOO_DARK_LUMA) {
          throw new Error("It's too dark for us to see your face. Turn on a light and try again, or");
        }
        say(onDevice() ? "Reading your expression on this device…" : "Sending your pictures…");
        return {
          field: "frames",
          files: frames.map(function (f, i) { return { blob: f.blob, name: "frame" + i + ".jpg" }; }),
          thumbs: frames.map(function (f) { return f.thumb; }),
        };
      });
    }
    if (!input.files.length) return Promise.reject(new Error("Choose a photo first."));
    var file = input.files[0];
    return Promise.resolve({ field: "image", files: [{ blob: file, name: file.name }], thumbs: uploadThumb ? [uploadThumb] : [] });
  }

  // "Analyse on this device" (static/js/ondevice/choice.mjs): a photo or frames are read in the
  // browser and only the result is sent.
  function onDevice() {
    var device = window.symphonyOnDevice;
    return device && device.chosen() ? device : null;
  }

  // The one way a check-in leaves this page: what was taken and the words, in one request (or, on
  // the device, its result); then the result page, at once (it waits for the analysis, this page does not).
  function checkIn(taken) {
    var device = taken.field && onDevice();
    if (device) {
      var blobs = taken.files.map(function (file) { return file.blob; });
      var words = wordsBox.value.trim() ? { text: wordsBox.value, keep_text: !forgetWords.checked } : null;
      var images = taken.field === "image" ? { photo: blobs[0] } : { frames: blobs };
      var sent = device.submit(Object.assign(images, { words: words }));
    } else {
      var data = new FormData();
      taken.files.forEach(function (file) { data.append(taken.field, file.blob, file.name); });
      addWords(data);
      sent = post(data);
    }
    return sent.then(function (body) {
      if (taken.thumbs.length) keepThumbs(body.id, taken.thumbs);
      window.location.assign(resultUrl(body.id));
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = e.submitter || document.getElementById("upload-submit");
    var way = button.value;
    // A message goes where the person looks: the webcam's status line, or the page's error box.
    var fail = way === "webcam" ? function (text) { say(text, true); } : showError;
    showError("");
    button.disabled = true;
    take(way).then(checkIn).catch(function (err) {
      fail(err.message);
      button.disabled = false;
    });
  });
})();
