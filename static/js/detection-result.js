// Result page: polls the check-in's small status answer while the analysis runs, then
// fetches the server-rendered result once, swaps it in without a reload, and draws the
// face boxes over the photo.
(function () {
  "use strict";
  // Each request waits server-side (long polling) for up to WAIT_S seconds.
  var WAIT_S = 10;
  var POLL_MS = 200;
  var POLL_LIMIT = 60;
  var MAX_WIDTH = 640;
  var root = document.getElementById("result");
  if (!root) return;

  function state() { return document.getElementById("result-state"); }

  function loadImage(src) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = reject;
      img.src = src;
    });
  }

  function localThumb(id, frame) {
    try {
      var thumbs = JSON.parse(sessionStorage.getItem("symphony-thumbs-" + id) || "null");
      if (!thumbs || !thumbs.length) return null;
      return thumbs[Math.min(frame, thumbs.length - 1)];
    } catch (e) { return null; }
  }

  function drawFaces() {
    var canvas = document.getElementById("photo-canvas");
    var facesNode = document.getElementById("faces-data");
    if (!canvas || !facesNode) return;
    var faces = JSON.parse(facesNode.textContent);
    var selected = parseInt(canvas.dataset.selected, 10);
    var you = faces.filter(function (f) { return f.id === selected; })[0] || faces[0];
    var frame = you ? you.frame : 0;
    var stored = canvas.dataset.hasImage === "1";
    var src = stored ? canvas.dataset.image + "?frame=" + frame : localThumb(state().dataset.id, frame);
    if (!src) { canvas.hidden = true; return; }
    loadImage(src).then(function (img) {
      if (!stored) {
        // The photo is gone from the server; this tab's own copy stands in for it.
        var gone = document.getElementById("photo-gone");
        var caption = document.getElementById("photo-caption");
        if (gone) gone.hidden = true;
        if (caption) caption.hidden = false;
        canvas.hidden = false;
      }
      var scale = Math.min(1, MAX_WIDTH / img.naturalWidth);
      canvas.width = Math.round(img.naturalWidth * scale);
      canvas.height = Math.round(img.naturalHeight * scale);
      var ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      // Boxes are in the analysed image's pixels; the picture may be a smaller thumbnail.
      var k = canvas.width / (parseInt(canvas.dataset.width, 10) || img.naturalWidth);
      ctx.lineWidth = 3;
      ctx.font = "bold 14px system-ui, sans-serif";
      var labels = [];
      // Numbered in the order of the page's "Face 1…N" buttons (the faces of the frame shown).
      faces.filter(function (f) { return f.frame === frame; }).forEach(function (f, i) {
        var isYou = you && f.id === you.id;
        var x = f.box[0] * k, y = f.box[1] * k;
        ctx.strokeStyle = isYou ? "#5a3fd6" : "#f5c518";
        ctx.strokeRect(x, y, f.box[2] * k, f.box[3] * k);
        var text = (i + 1) + (isYou ? " you: " : ": ") + f.top_emotion;
        var w = Math.min(ctx.measureText(text).width + 8, canvas.width), h = 20;
        // Above the box when there is room, else just inside its top; always within the photo.
        var lx = Math.max(0, Math.min(x, canvas.width - w));
        var ly = Math.max(0, Math.min(y >= h ? y - h : y, canvas.height - h));
        ctx.fillStyle = ctx.strokeStyle;
        ctx.fillRect(lx, ly, w, h);
        ctx.fillStyle = isYou ? "#fff" : "#1d1d27";
        ctx.fillText(text, lx + 4, ly + 15);
        labels.push({ text: text, x: lx, y: ly, w: w, h: h });
      });
      // For tests and assistive checks: what was drawn where, in canvas pixels.
      canvas.dataset.labels = JSON.stringify(labels);
      canvas.dataset.drawn = "1";
    }).catch(function () { canvas.hidden = true; });
  }

  function swapIn() {
    return fetch(root.dataset.fragment, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        root.innerHTML = html;
        // Scripts inserted through innerHTML do not run (the music partial brings its own).
        root.querySelectorAll("script[src]").forEach(function (old) {
          var script = document.createElement("script");
          script.src = old.src;
          old.replaceWith(script);
        });
        drawFaces();
      });
  }

  function poll(count) {
    fetch(root.dataset.status + "?wait=" + WAIT_S, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.finished) { swapIn(); return; }
        var text = document.getElementById("progress-text");
        if (text) text.textContent = body.status === "running" ? "Reading your expression…" : "Waiting for a free analyser…";
        if (count < POLL_LIMIT) setTimeout(function () { poll(count + 1); }, POLL_MS);
      })
      .catch(function () { if (count < POLL_LIMIT) setTimeout(function () { poll(count + 1); }, POLL_MS * 10); });
  }

  var status = state() && state().dataset.status;
  if (status === "queued" || status === "running") poll(0);
  else drawFaces();
})();
