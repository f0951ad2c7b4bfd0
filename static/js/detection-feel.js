// "How are you feeling?" page: drag and drop, upload through the API, the
// webcam burst, and words (alone or with either). Without JavaScript the upload and emotion forms still post normally.
(function () {
  "use strict";
  var THUMB_MAX = window.symphonyCamera.THUMB_MAX;
  var TOO_DARK_LUMA = 28;
  // Each status request waits server-side (long polling) for up to WAIT_S seconds.
  var WAIT_S = 10;
  var POLL_MS = 200;
  var POLL_LIMIT = 60;

  var webcam = document.getElementById("webcam");
  var apiUrl = webcam.dataset.api;
  var resultUrl = function (id) { return webcam.dataset.result.replace(/0\/$/, id + "/"); };
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

  // "Analyse on this device" (static/js/ondevice/choice.mjs): when chosen, the photo or frames are
  // read here and only the result is sent; otherwise the server path.
  function onDeviceOr(images, serverPath) {
    var device = window.symphonyOnDevice;
    if (!device || !device.chosen()) return serverPath();
    var words = wordsBox.value.trim()
      ? { text: wordsBox.value, keep_text: !forgetWords.checked }
      : null;
    return device.submit({ photo: images.photo, frames: images.frames, words: words });
  }

  // --- Upload ------------------------------------------------------------
  var form = document.getElementById("upload-form");
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

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var words = e.submitter && e.submitter.value === "words";
    if (words && !wordsBox.value.trim()) { showError("Write a few words first."); wordsBox.focus(); return; }
    if (!words && !input.files.length) { showError("Choose a photo first."); return; }
    var button = e.submitter || document.getElementById("upload-submit");
    button.disabled = true;
    var data = new FormData();
    if (!words) data.append("image", input.files[0]);
    addWords(data);
    var photo = words ? null : input.files[0];
    onDeviceOr({ photo: photo }, function () { return post(data); }).then(function (body) {
      if (!words && uploadThumb) keepThumbs(body.id, [uploadThumb]);
      window.location.assign(resultUrl(body.id));
    }).catch(function (err) {
      showError(err.message);
      button.disabled = false;
    });
  });

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

  function poll(url, polls) {
    return fetch(url + "?wait=" + WAIT_S, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.status === "done" || body.status === "failed") return body;
        if (polls >= POLL_LIMIT) throw new Error("The analysis is taking unusually long. Please try again.");
        return new Promise(function (resolve) { setTimeout(resolve, POLL_MS); })
          .then(function () { return poll(url, polls + 1); });
      });
  }

  captureButton.addEventListener("click", function () {
    if (!video.videoWidth) { say("The camera is not ready yet."); return; }
    captureButton.disabled = true;
    say("Capturing…");
    camera.burst(video).then(function (frames) {
      var luma = frames.reduce(function (s, f) { return s + f.luma; }, 0) / frames.length;
      if (luma < TOO_DARK_LUMA) {
        throw new Error("It's too dark for us to see your face. Turn on a light and try again, or");
      }
      var data = new FormData();
      frames.forEach(function (f, i) { data.append("frames", f.blob, "frame" + i + ".jpg"); });
      addWords(data);
      say("Reading your expression…");
      var blobs = frames.map(function (f) { return f.blob; });
      return onDeviceOr({ frames: blobs }, function () { return post(data); }).then(function (body) {
        keepThumbs(body.id, frames.map(function (f) { return f.thumb; }));
        return body.status === "done" || body.status === "failed" ? body : poll(body.url, 0);
      });
    }).then(function (body) {
      if (body.status === "done") {
        window.location.assign(resultUrl(body.id));
        return;
      }
      say(body.error, true);
      captureButton.disabled = false;
    }).catch(function (err) {
      say(err.message, true);
      captureButton.disabled = false;
    });
  });
})();
