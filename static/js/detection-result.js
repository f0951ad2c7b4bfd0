// Result page, rendered by the server. While the analysis runs, one long poll asks for the page's
// #result region (?fragment=result&wait=S: the server holds the answer until the analysis is
// finished) and puts its children in place of the old ones: #result itself, the aria-live region,
// stays. Once finished, focus moves to the new heading. The page loads every script the result
// needs, once; after a swap they start on the new content. Also draws the face boxes over the photo.
(function () {
  "use strict";
  var POLL_MS = 200; // between two long polls (each already waited server-side)
  var RETRY_MS = 2000; // after a failed request: offline, or the server restarting
  var POLL_LIMIT = 60;
  var MAX_WIDTH = 640;
  var root = document.getElementById("result");

  function state() { return document.getElementById("result-state"); }
  function unfinished(status) { return status === "queued" || status === "running"; }

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

  // The region's new children, when the state they show differs from the one shown; the state.
  function swap(html) {
    var next = document.createElement("template");
    next.innerHTML = html;
    var status = next.content.getElementById("result-state").dataset.status;
    if (status === state().dataset.status) return status;
    root.setAttribute("aria-busy", "true"); // announce the new state once, when it is all there
    root.replaceChildren(next.content);
    if (!unfinished(status)) {
      window.musicPlayer.init();
      window.symphonyLive.init();
      drawFaces();
      document.getElementById("result-heading").focus();
    }
    root.removeAttribute("aria-busy");
    return status;
  }

  function poll(count) {
    if (count >= POLL_LIMIT) return;
    fetch(root.dataset.fragment + "&wait=" + root.dataset.wait, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (unfinished(swap(html))) setTimeout(function () { poll(count + 1); }, POLL_MS);
      })
      .catch(function () { setTimeout(function () { poll(count + 1); }, RETRY_MS); });
  }

  if (unfinished(state().dataset.status)) poll(0);
  else drawFaces();
})();
