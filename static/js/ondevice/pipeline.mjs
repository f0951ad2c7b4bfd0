// The on-device pipeline: ml/'s face finding and classification, step by step, in plain JavaScript.
// Every number comes from the pipeline definition (`spec`, pipeline.json, written by
// `python -m ml.browser` from ml/'s own constants); each function names what it follows in ml/ (or
// in OpenCV, which ml/ calls), so a change there is a change here. Images are
// {width, height, channels, data: Uint8ClampedArray}, rows top to bottom, channels interleaved.

export function makeImage(width, height, channels, data) {
  return { width, height, channels, data: data || new Uint8ClampedArray(width * height * channels) };
}

// RGBA pixels (a canvas's) -> RGB; a photo has no transparency once decoded by the browser.
export function rgbFromRgba(rgba, width, height) {
  const out = makeImage(width, height, 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out.data[j] = rgba[i];
    out.data[j + 1] = rgba[i + 1];
    out.data[j + 2] = rgba[i + 2];
  }
  return out;
}

// ml.imageio._decode with min_side: how much smaller than its full size the server decodes a photo.
// A JPEG is first decoded at 1/2, 1/4 or 1/8 (libjpeg's DCT scaling, Pillow's draft), then any
// image is shrunk by a whole factor (Pillow's reduce). Returns the two factors in turn.
export function decodeFactors(width, height, isJpeg, spec) {
  const minSide = spec.decode.min_side;
  const short = Math.min(width, height);
  const tw = Math.ceil((width * minSide) / short);
  const th = Math.ceil((height * minSide) / short);
  let draft = 1;
  if (isJpeg && tw < width) {
    const scale = Math.min(Math.floor(width / tw), Math.floor(height / th));
    draft = spec.decode.jpeg_scales.filter((s) => s <= scale).reduce((a, b) => Math.max(a, b), 1);
  }
  const w1 = Math.ceil(width / draft);
  const h1 = Math.ceil(height / draft);
  const reduce = Math.max(1, Math.min(Math.floor(w1 / Math.max(1, tw)), Math.floor(h1 / Math.max(1, th))));
  return [draft, reduce];
}

// Pillow's Image.reduce (and, closely, libjpeg's DCT scaling): each output pixel is the rounded mean
// of a factor x factor block; blocks cut by the right or bottom edge average what they hold.
export function boxReduce(image, factor) {
  if (factor <= 1) return image;
  const { width, height, channels: c, data } = image;
  const w = Math.ceil(width / factor);
  const h = Math.ceil(height / factor);
  const out = makeImage(w, h, c);
  const column = new Int32Array(width); // each source column's output column, times channels
  for (let x = 0; x < width; x++) column[x] = Math.floor(x / factor) * c;
  const sums = new Uint32Array(w * c);
  for (let oy = 0; oy < h; oy++) {
    sums.fill(0);
    const y0 = oy * factor;
    const y1 = Math.min(height, y0 + factor);
    for (let y = y0; y < y1; y++) {
      let i = y * width * c;
      for (let x = 0; x < width; x++) {
        const o = column[x];
        for (let k = 0; k < c; k++) sums[o + k] += data[i++];
      }
    }
    for (let ox = 0; ox < w; ox++) {
      const count = (Math.min(width, (ox + 1) * factor) - ox * factor) * (y1 - y0);
      const half = count >> 1;
      for (let k = 0; k < c; k++) out.data[(oy * w + ox) * c + k] = Math.floor((sums[ox * c + k] + half) / count);
    }
  }
  return out;
}

// cv2.cvtColor(RGB2GRAY) on uint8: fixed-point BT.601 weights.
export function toGray(image) {
  const out = makeImage(image.width, image.height, 1);
  const d = image.data;
  for (let i = 0, j = 0; j < out.data.length; i += 3, j++) {
    out.data[j] = (d[i] * 4899 + d[i + 1] * 9617 + d[i + 2] * 1868 + 8192) >> 14;
  }
  return out;
}

// ml.detector.brighten: a dark photo stretched so its brightest 1% reaches white.
export function brighten(image, spec) {
  const b = spec.detector.brighten;
  const { width, height, channels: c, data } = image;
  const stepY = Math.max(1, Math.floor(height / b.grid));
  const stepX = Math.max(1, Math.floor(width / b.grid));
  const sample = [];
  for (let y = 0; y < height; y += stepY) {
    for (let x = 0; x < width; x += stepX) {
      for (let k = 0; k < c; k++) sample.push(data[(y * width + x) * c + k]);
    }
  }
  sample.sort((p, q) => p - q);
  const top = sample[Math.floor(sample.length * b.percentile)];
  const gain = Math.min(b.max_gain, 255 / Math.max(top, 1));
  if (gain < b.min_gain) return image;
  const lut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.min(255, Math.floor(Math.fround(v * Math.fround(gain))));
  const out = makeImage(width, height, c);
  for (let i = 0; i < data.length; i++) out.data[i] = lut[data[i]];
  return out;
}

// ml.detector.input_size: about input_pixels, aspect kept, multiples of input_align.
export function inputSize(height, width, spec) {
  const d = spec.detector;
  const scale = Math.sqrt(d.input_pixels / (height * width));
  const align = (v) => Math.max(d.input_align, roundHalfEven(v / d.input_align) * d.input_align);
  return [align(height * scale), align(width * scale)];
}

// Python's round(): halves go to the even neighbour.
export function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// cv2.resize(INTER_LINEAR) on uint8, as OpenCV computes it: 11-bit fixed-point weights, pixel
// centres aligned, edges clamped; an exact halving is a 2x2 mean (OpenCV switches to INTER_AREA).
export function resizeLinear(image, dw, dh) {
  const { width: sw, height: sh, channels: c, data } = image;
  if (sw === 2 * dw && sh === 2 * dh) return boxReduce(image, 2);
  const taps = (dst, src) => {
    const i0 = new Int32Array(dst);
    const i1 = new Int32Array(dst);
    const w0 = new Int32Array(dst);
    const w1 = new Int32Array(dst);
    const scale = src / dst;
    for (let x = 0; x < dst; x++) {
      let s = (x + 0.5) * scale - 0.5;
      let i = Math.floor(s);
      let f = s - i;
      if (i < 0) { i = 0; f = 0; }
      if (i >= src - 1) { i = src - 1; f = 0; }
      i0[x] = i;
      i1[x] = Math.min(i + 1, src - 1);
      w1[x] = Math.round(f * 2048);
      w0[x] = 2048 - w1[x];
    }
    return [i0, i1, w0, w1];
  };
  const [x0, x1, ax0, ax1] = taps(dw, sw);
  const [y0, y1, by0, by1] = taps(dh, sh);
  const rows = new Map(); // source row -> its horizontal pass; each needed row computed once
  const horizontal = (y) => {
    let row = rows.get(y);
    if (row) return row;
    row = new Int32Array(dw * c);
    const base = y * sw * c;
    for (let x = 0, i = 0; x < dw; x++) {
      const p = base + x0[x] * c, q = base + x1[x] * c, a = ax0[x], b = ax1[x];
      for (let k = 0; k < c; k++) row[i++] = data[p + k] * a + data[q + k] * b;
    }
    rows.set(y, row);
    return row;
  };
  const out = makeImage(dw, dh, c);
  const n = dw * c;
  for (let y = 0; y < dh; y++) {
    const r0 = horizontal(y0[y]);
    const r1 = horizontal(y1[y]);
    const b0 = by0[y];
    const b1 = by1[y];
    const base = y * n;
    for (let i = 0; i < n; i++) {
      // OpenCV's vectorised rounding: (b0*(S0>>4))>>16 + (b1*(S1>>4))>>16, +2 >> 2.
      out.data[base + i] = (((b0 * (r0[i] >> 4)) >> 16) + ((b1 * (r1[i] >> 4)) >> 16) + 2) >> 2;
    }
    if (y > 0 && y0[y - 1] < y0[y]) rows.delete(y0[y - 1]); // rows only move down
  }
  return out;
}

// cv2.getRotationMatrix2D, then the shift that puts `centre` at the middle of a size x size output.
export function rotationMatrix(cx, cy, degrees, scale, size) {
  const a = (degrees * Math.PI) / 180;
  const alpha = scale * Math.cos(a);
  const beta = scale * Math.sin(a);
  return [
    [alpha, beta, (1 - alpha) * cx - beta * cy + size / 2 - cx],
    [-beta, alpha, beta * cx + (1 - alpha) * cy + size / 2 - cy],
  ];
}

// cv2.warpAffine(INTER_LINEAR): each output pixel samples the source at the inverse transform,
// positions rounded to 1/32 pixel as OpenCV does; `reflect` is BORDER_REFLECT_101, otherwise
// pixels beyond the edge are 0 (BORDER_CONSTANT).
export function warpAffine(image, m, size, reflect) {
  const { width, height, channels: c, data } = image;
  let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
  det = det ? 1 / det : 0;
  const a11 = m[1][1] * det, a22 = m[0][0] * det, a12 = -m[0][1] * det, a21 = -m[1][0] * det;
  const b1 = -a11 * m[0][2] - a12 * m[1][2];
  const b2 = -a21 * m[0][2] - a22 * m[1][2];
  const out = makeImage(size, size, c);
  const index = (i, n) => {
    if (i >= 0 && i < n) return i;
    if (!reflect) return -1;
    if (n === 1) return 0;
    const period = 2 * n - 2;
    i = ((i % period) + period) % period;
    return i < n ? i : period - i;
  };
  let o = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const X = Math.floor((a11 * x + a12 * y + b1) * 32 + 0.5);
      const Y = Math.floor((a21 * x + a22 * y + b2) * 32 + 0.5);
      const fx = (X & 31) / 32, fy = (Y & 31) / 32;
      const x0 = index(X >> 5, width), x1 = index((X >> 5) + 1, width);
      const y0 = index(Y >> 5, height), y1 = index((Y >> 5) + 1, height);
      const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
      const r0 = y0 * width, r1 = y1 * width;
      for (let k = 0; k < c; k++) {
        let v = 0;
        if (y0 >= 0) {
          if (x0 >= 0) v += w00 * data[(r0 + x0) * c + k];
          if (x1 >= 0) v += w01 * data[(r0 + x1) * c + k];
        }
        if (y1 >= 0) {
          if (x0 >= 0) v += w10 * data[(r1 + x0) * c + k];
          if (x1 >= 0) v += w11 * data[(r1 + x1) * c + k];
        }
        out.data[o++] = Math.round(v);
      }
    }
  }
  return out;
}

// cv2.resize(INTER_AREA) by a factor under 1: each output pixel is the area-weighted mean of the
// source pixels its footprint covers (OpenCV's output size: the scaled size, rounded).
export function resizeArea(image, factor) {
  const { width, height, channels: c, data } = image;
  const w = Math.max(1, Math.round(width * factor));
  const h = Math.max(1, Math.round(height * factor));
  // Per output pixel, the source pixels its footprint covers and their shares (OpenCV's weights):
  // separable, so rows are shrunk first, then columns.
  const spans = (n, limit) => {
    const step = 1 / factor;
    const all = [];
    for (let o = 0; o < n; o++) {
      const s0 = o * step, s1 = Math.min(limit, (o + 1) * step);
      const taps = [];
      for (let i = Math.floor(s0); i < Math.ceil(s1); i++) {
        const cover = Math.min(s1, i + 1) - Math.max(s0, i);
        if (cover > 1e-9) taps.push(Math.min(i, limit - 1), cover / (s1 - s0));
      }
      all.push(taps);
    }
    return all;
  };
  const xs = spans(w, width);
  const ys = spans(h, height);
  const rows = new Float64Array(height * w * c);
  for (let y = 0; y < height; y++) {
    for (let ox = 0; ox < w; ox++) {
      const taps = xs[ox];
      for (let k = 0; k < c; k++) {
        let v = 0;
        for (let t = 0; t < taps.length; t += 2) v += taps[t + 1] * data[(y * width + taps[t]) * c + k];
        rows[(y * w + ox) * c + k] = v;
      }
    }
  }
  const out = makeImage(w, h, c);
  for (let oy = 0; oy < h; oy++) {
    const taps = ys[oy];
    for (let i = 0; i < w * c; i++) {
      let v = 0;
      for (let t = 0; t < taps.length; t += 2) v += taps[t + 1] * rows[taps[t] * w * c + i];
      out.data[oy * w * c + i] = Math.round(v);
    }
  }
  return out;
}

export function crop(image, x0, y0, x1, y1) {
  x0 = Math.max(0, x0); y0 = Math.max(0, y0);
  x1 = Math.min(image.width, x1); y1 = Math.min(image.height, y1);
  const w = Math.max(0, x1 - x0), h = Math.max(0, y1 - y0), c = image.channels;
  const out = makeImage(w, h, c);
  for (let y = 0; y < h; y++) {
    const start = ((y0 + y) * image.width + x0) * c;
    out.data.set(image.data.subarray(start, start + w * c), y * w * c);
  }
  return out;
}

// --- Detection (ml.detector) ------------------------------------------------------------------

// ml.detector.ssd_anchors: anchor centres in input pixels, in the model's output order.
export function anchors(height, width, spec) {
  const out = [];
  const offset = spec.detector.anchor_offset;
  for (const [stride, perCell] of spec.detector.anchor_grids) {
    for (let y = 0; y < Math.floor(height / stride); y++) {
      for (let x = 0; x < Math.floor(width / stride); x++) {
        for (let k = 0; k < perCell; k++) out.push([(x + offset) * stride, (y + offset) * stride]);
      }
    }
  }
  return out;
}

// BlazeFace's input: the image resized to the input size, scaled to [-1, 1] (float32 like numpy).
export function detectorInput(image, height, width) {
  const resized = resizeLinear(image, width, height);
  const tensor = new Float32Array(resized.data.length);
  const k = Math.fround(2 / 255);
  for (let i = 0; i < tensor.length; i++) tensor[i] = Math.fround(Math.fround(resized.data[i] * k) - 1);
  return tensor;
}

// ml.detector.BlazeFace.scan, after the model: candidates as corners, keypoints and scores, in the
// image's pixels.
export function decodeCandidates(regressors, logits, anchorList, inputH, inputW, imageH, imageW, spec) {
  const d = spec.detector;
  const sx = imageW / inputW, sy = imageH / inputH;
  const found = [];
  for (let i = 0; i < anchorList.length; i++) {
    const clip = Math.max(-d.raw_score_clip, Math.min(d.raw_score_clip, logits[i]));
    const score = 1 / (1 + Math.exp(-clip));
    if (score < d.candidate_score) continue;
    const r = regressors.subarray(i * 16, i * 16 + 16);
    const [ax, ay] = anchorList[i];
    const halfW = r[2] / 2, halfH = r[3] / 2;
    if (!(halfW > 0 && halfH > 0)) continue;
    const cx = r[0] + ax, cy = r[1] + ay;
    const keypoints = [];
    for (let k = 0; k < 6; k++) keypoints.push([(r[4 + 2 * k] + ax) * sx, (r[5 + 2 * k] + ay) * sy]);
    found.push({ corners: [(cx - halfW) * sx, (cy - halfH) * sy, (cx + halfW) * sx, (cy + halfH) * sy], keypoints, score });
  }
  return found;
}

function area(b) { return (b[2] - b[0]) * (b[3] - b[1]); }

function intersection(a, b) {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  return w * h;
}

export function iou(a, b) {
  const inter = intersection(a, b);
  return inter / Math.max(area(a) + area(b) - inter, 1e-9);
}

// ml.detector.weighted_nms: each kept face averages the boxes and keypoints it overlaps, by score.
export function weightedNms(candidates, spec) {
  const order = candidates.slice().sort((a, b) => b.score - a.score);
  const alive = order.map(() => true);
  const kept = [];
  for (let i = 0; i < order.length; i++) {
    if (!alive[i]) continue;
    const group = [];
    for (let j = 0; j < order.length; j++) {
      if (alive[j] && (j === i || iou(order[i].corners, order[j].corners) > spec.detector.nms_iou)) group.push(j);
    }
    const total = group.reduce((s, j) => s + order[j].score, 0);
    const corners = [0, 0, 0, 0];
    const keypoints = order[i].keypoints.map(() => [0, 0]);
    for (const j of group) {
      const w = order[j].score / total;
      order[j].corners.forEach((v, k) => { corners[k] += w * v; });
      order[j].keypoints.forEach((p, k) => { keypoints[k][0] += w * p[0]; keypoints[k][1] += w * p[1]; });
      alive[j] = false;
    }
    kept.push({ corners, keypoints, score: order[i].score });
  }
  return kept;
}

// ml.detector.duplicate: a weaker box around, inside or beside a face already kept.
export function duplicate(box, kept, spec) {
  const d = spec.detector;
  const side = Math.max(box[2] - box[0], box[3] - box[1]);
  return kept.some((k) => {
    const overlap = intersection(box, k) / Math.max(Math.min(area(box), area(k)), 1e-9);
    if (overlap > d.duplicate_overlap) return true;
    const size = Math.max(k[2] - k[0], k[3] - k[1]);
    const dx = (k[0] + k[2]) / 2 - (box[0] + box[2]) / 2;
    const dy = (k[1] + k[3]) / 2 - (box[1] + box[3]) / 2;
    return Math.hypot(dx, dy) < d.duplicate_distance * Math.max(size, side);
  });
}

const RIGHT_EYE = 0, LEFT_EYE = 1, MOUTH = 3;

// ml.detector.face_shaped: eyes and mouth laid out like a near-upright face's.
export function faceShaped(keypoints, boxSide, spec) {
  const d = spec.detector;
  const right = keypoints[RIGHT_EYE], left = keypoints[LEFT_EYE], mouth = keypoints[MOUTH];
  const ex = left[0] - right[0], ey = left[1] - right[1];
  const eyeDistance = Math.hypot(ex, ey);
  if (eyeDistance < 1e-6) return false;
  const nx = -ey / eyeDistance, ny = ex / eyeDistance;
  const below = (mouth[0] - (right[0] + left[0]) / 2) * nx + (mouth[1] - (right[1] + left[1]) / 2) * ny;
  const upright = Math.abs((Math.atan2(ey, ex) * 180) / Math.PI) <= d.max_weak_roll;
  const [eyeLow, eyeHigh] = d.eye_distance_range, [dropLow, dropHigh] = d.mouth_drop_range;
  const eyes = eyeDistance / boxSide, drop = below / boxSide;
  return upright && eyeLow <= eyes && eyes <= eyeHigh && dropLow <= drop && drop <= dropHigh;
}

// ml.detector.FacePresence.score's input: the box enlarged and turned level, 192x192, in [0, 1].
export function presenceInput(image, corners, keypoints, spec) {
  const p = spec.presence;
  const cx = (corners[0] + corners[2]) / 2, cy = (corners[1] + corners[3]) / 2;
  const side = Math.max(corners[2] - corners[0], corners[3] - corners[1]) * p.roi_scale;
  const [rx, ry] = keypoints[RIGHT_EYE], [lx, ly] = keypoints[LEFT_EYE];
  const angle = (Math.atan2(ly - ry, lx - rx) * 180) / Math.PI;
  const patch = warpAffine(image, rotationMatrix(cx, cy, angle, p.size / side, p.size), p.size, false);
  const tensor = new Float32Array(patch.data.length);
  for (let i = 0; i < tensor.length; i++) tensor[i] = Math.fround(patch.data[i] / 255);
  return tensor;
}

// --- Alignment and classification (ml.align, ml.preprocess, ml.calibration, ml.inference) --------

// ml.align.face_geometry: (centre x, centre y, crop side, roll) for a FER+-framed crop.
export function faceGeometry(face, spec) {
  const c = spec.crop;
  const size = c.size;
  const right = face.keypoints[RIGHT_EYE], left = face.keypoints[LEFT_EYE], mouth = face.keypoints[MOUTH];
  let roll = (Math.atan2(left[1] - right[1], left[0] - right[0]) * 180) / Math.PI;
  if (Math.abs(roll) > c.max_roll) roll = 0;
  const eyes = [(right[0] + left[0]) / 2, (right[1] + left[1]) / 2];
  const keypointSize = Math.max(
    Math.hypot(left[0] - right[0], left[1] - right[1]) / c.fer_eye_distance,
    Math.hypot(mouth[0] - eyes[0], mouth[1] - eyes[1]) / c.fer_eye_to_mouth,
  );
  const [, , w, h] = face.box;
  const faceSize = (Math.max(w, h) / c.fer_box_width + keypointSize) / 2;
  const dx = (size / 2 - c.fer_eye_midpoint[0]) * faceSize;
  const dy = (size / 2 - c.fer_eye_midpoint[1]) * faceSize;
  const cos = Math.cos((roll * Math.PI) / 180), sin = Math.sin((roll * Math.PI) / 180);
  return [eyes[0] + dx * cos - dy * sin, eyes[1] + dx * sin + dy * cos, size * faceSize, roll];
}

// ml.align.crop_face: the 48x48 gray crop, eyes level, framed like FER+; a large face is first
// area-averaged down, as an affine warp alone would alias it.
export function cropFace(gray, face, spec) {
  const c = spec.crop;
  const [cx, cy, side, roll] = faceGeometry(face, spec);
  let m = rotationMatrix(cx, cy, roll, c.size / side, c.size);
  const scale = Math.hypot(m[0][0], m[0][1]);
  let source = gray;
  if (scale < c.shrink_below) {
    const reach = Math.floor(side * c.shrink_reach) + 2;
    const x0 = Math.max(0, Math.floor(cx) - reach), y0 = Math.max(0, Math.floor(cy) - reach);
    const region = crop(gray, x0, y0, Math.floor(cx) + reach, Math.floor(cy) + reach);
    if (region.width && region.height) {
      const factor = 2 * scale;
      source = resizeArea(region, factor);
      // image -> region -> shrunk region: undo both before the alignment.
      m = m.map((row) => [row[0] / factor, row[1] / factor, row[0] * x0 + row[1] * y0 + row[2]]);
    }
  }
  return warpAffine(source, m, c.size, true);
}

// ml.preprocess.normalize plus the mirror image: a (2, 48, 48, 1) float32 batch.
export function emotionInput(crop48, spec) {
  const n = crop48.data.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += crop48.data[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (crop48.data[i] - mean) ** 2;
  const std = Math.max(Math.sqrt(variance / n), spec.emotion.min_std);
  const size = crop48.width;
  const batch = new Float32Array(2 * n);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = (crop48.data[y * size + x] - mean) / std;
      batch[y * size + x] = v;
      batch[n + y * size + (size - 1 - x)] = v;
    }
  }
  return batch;
}

// ml.calibration.softmax of the mirror-averaged logits at the fitted temperature.
export function probabilities(logits, spec) {
  const count = spec.labels.length;
  const mixed = [];
  for (let k = 0; k < count; k++) mixed.push((logits[k] + logits[count + k]) / 2 / spec.temperature);
  const top = Math.max(...mixed);
  const exps = mixed.map((v) => Math.exp(v - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

// ml.inference._quality: 0 for faces too small or blurry to trust, up to 1 for large sharp ones.
export function quality(crop48, relativeSize, spec) {
  const q = spec.quality;
  const { width: w, height: h, data } = crop48;
  const at = (x, y) => {
    const rx = x < 0 ? -x : x >= w ? 2 * w - 2 - x : x;
    const ry = y < 0 ? -y : y >= h ? 2 * h - 2 - y : y;
    return data[ry * w + rx];
  };
  const values = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) values.push(at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4 * at(x, y));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sharpness = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  if (relativeSize < q.min_face_fraction || sharpness < q.blur_threshold) return 0;
  const sizeScore = Math.min(1, relativeSize / q.full_size);
  const sharpScore = Math.min(1, sharpness / (q.full_sharpness * q.blur_threshold));
  return Math.round((0.5 * sizeScore + 0.5 * sharpScore) * 10000) / 10000;
}

// ml.inference.EmotionRecognizer.analyze's boxes: in the full-size upright image's pixels, cut to it.
export function fullSizeBox(box, scale, width, height) {
  const [x, y, w, h] = box;
  const x0 = Math.max(0, x * scale), y0 = Math.max(0, y * scale);
  const x1 = Math.min(width, (x + w) * scale), y1 = Math.min(height, (y + h) * scale);
  return [roundHalfEven(x0), roundHalfEven(y0), Math.max(1, roundHalfEven(x1 - x0)), Math.max(1, roundHalfEven(y1 - y0))];
}
