// On-device analysis: the pipeline (pipeline.mjs) run on LiteRT.js, the TFLite runtime compiled to
// WebAssembly, with the same models as the server (fixed-shape copies, see ml/browser.py). Nothing
// here sends anything: it turns a photo or a burst's frames into the result the API accepts
// (eight probabilities, a box and a quality per face, the image size and the model version).
//
//   const device = await onDevice(assets);      // assets: the URLs the page gives (see feel.html)
//   const result = await device.analysePhoto(file);
import * as P from "./pipeline.mjs";

const CPU = { accelerator: "wasm", cpuOptions: { numThreads: 1 } };

async function fetchJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`could not load ${url} (${response.status})`);
  return response.json();
}

function isJpeg(bytes) {
  return bytes.length > 2 && bytes[0] === 0xff && bytes[1] === 0xd8;
}

// A JPEG's stored (width, height), from its frame header (SOFn), or null: the decoder below needs it
// before decoding, to ask for the DCT scale the server's decoder would use.
function jpegSize(bytes) {
  let i = 2;
  while (i + 9 < bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xff) { i += 1; continue; } // fill byte
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    // SOF0-SOF15 but DHT (c4), JPG (c8) and DAC (cc), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [(bytes[i + 7] << 8) | bytes[i + 8], (bytes[i + 5] << 8) | bytes[i + 6]];
    }
    if (marker === 0xda || length < 2) return null; // scan data before a frame header: not ours to read
    i += 2 + length;
  }
  return null;
}

// The server's pixel cap (ml.imageio), checked before any pixel is decoded.
function pixelsAllowed(width, height, spec) {
  if (width * height > spec.limits.max_pixels) throw new Error("The image has too many pixels.");
}

// Pixels of a canvas drawing, as RGBA; the canvas is the only place they exist.
function drawn(source, width, height) {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0);
  return P.makeImage(width, height, 4, context.getImageData(0, 0, width, height).data);
}

// A JPEG the way the server's decoder reads it (ml.imageio): WebCodecs' ImageDecoder decodes it at
// the DCT scale Pillow's draft picks (libjpeg's scaling in both: the same pixels), upright; only the
// whole-factor shrink is left to do here. Far cheaper than decoding a phone photo at full size.
// Null when there is nothing to scale, or the browser decodes at another scale: the caller then
// takes the full-size path (at full size Chromium's ImageDecoder converts colours its own way).
async function decodeScaled(bytes, [storedW, storedH], spec) {
  const [draft, reduce] = P.decodeFactors(storedW, storedH, true, spec);
  if (draft === 1) return null;
  const wanted = [Math.ceil(storedW / draft), Math.ceil(storedH / draft)];
  const decoder = new ImageDecoder({ data: bytes, type: "image/jpeg", desiredWidth: wanted[0], desiredHeight: wanted[1] });
  try {
    const { image } = await decoder.decode();
    try {
      if (image.codedWidth !== wanted[0] || image.codedHeight !== wanted[1]) return null;
      const quarterTurn = image.rotation % 180 !== 0;
      const rgba = P.boxReduce(drawn(image, image.displayWidth, image.displayHeight), reduce);
      const [width, height] = quarterTurn ? [storedH, storedW] : [storedW, storedH];
      return { width, height, rgb: P.rgbFromRgba(rgba.data, rgba.width, rgba.height) };
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

// The browser decodes the photo (upright, EXIF orientation applied), then shrinks it the way the
// server's decoder would (ml.imageio); pixels never leave this function's canvas.
async function decode(blob, spec) {
  const jpeg = isJpeg(new Uint8Array(await blob.slice(0, 4).arrayBuffer()));
  // The whole file is read here only for ImageDecoder; createImageBitmap reads the blob itself.
  const bytes = jpeg && typeof ImageDecoder === "function" ? new Uint8Array(await blob.arrayBuffer()) : null;
  const stored = bytes && jpegSize(bytes);
  if (stored) {
    pixelsAllowed(stored[0], stored[1], spec);
    const scaled = await decodeScaled(bytes, stored, spec);
    if (scaled) return scaled;
  }
  const bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
  try {
    const { width, height } = bitmap;
    pixelsAllowed(width, height, spec);
    const [draft, reduce] = P.decodeFactors(width, height, jpeg, spec);
    const small = P.boxReduce(P.boxReduce(drawn(bitmap, width, height), draft), reduce); // alpha is 255 throughout: a photo
    return { width, height, rgb: P.rgbFromRgba(small.data, small.width, small.height) };
  } finally {
    bitmap.close();
  }
}

// One model call on a float32 input; the outputs come back as plain arrays, and the runtime's
// tensors are freed (LiteRT.js manages their memory by hand).
async function run(runtime, model, input, shape) {
  const tensor = new runtime.Tensor(input, shape);
  let outputs;
  try {
    outputs = await model.run(tensor);
  } finally {
    tensor.delete();
  }
  const arrays = [];
  for (const output of outputs) {
    arrays.push((await output.data()).slice());
    output.delete();
  }
  return arrays;
}

class Device {
  constructor(spec, assets, runtime) {
    this.spec = spec;
    this.assets = assets;
    this.runtime = runtime;
    this.detectors = new Map();
  }

  async load() {
    const url = (name) => this.assets.models + name;
    [this.emotion, this.presence] = await Promise.all([
      this.runtime.loadAndCompile(url(this.spec.models.emotion), CPU),
      this.runtime.loadAndCompile(url(this.spec.models.presence), CPU),
    ]);
    return this;
  }

  async detector(height, width) {
    const key = `${height}x${width}`;
    if (!this.detectors.has(key)) {
      const name = this.spec.models.detector.replace("{height}", height).replace("{width}", width);
      this.detectors.set(key, this.runtime.loadAndCompile(this.assets.models + name, CPU));
    }
    return this.detectors.get(key);
  }

  // ml.detector.FaceDetector.detect: faces (box x, y, w, h and keypoints) in `rgb`'s pixels.
  async detect(rgb) {
    const spec = this.spec;
    const d = spec.detector;
    const bright = P.brighten(rgb, spec);
    const [ih, iw] = P.inputSize(bright.height, bright.width, spec);
    const model = await this.detector(ih, iw);
    const outputs = await run(this.runtime, model, P.detectorInput(bright, ih, iw), [1, ih, iw, 3]);
    const anchors = P.anchors(ih, iw, spec);
    // The box regressors have 16 numbers per anchor, the scores one.
    const [regressors, logits] = outputs.sort((a, b) => b.length - a.length);
    const candidates = P.weightedNms(
      P.decodeCandidates(regressors, logits, anchors, ih, iw, bright.height, bright.width, spec),
      spec,
    );
    const floor = d.min_face * Math.min(bright.width, bright.height);
    const faces = [];
    const kept = [];
    let checks = 0;
    for (const { corners: c, keypoints, score } of candidates) {
      const w = c[2] - c[0], h = c[3] - c[1];
      if (Math.max(w, h) < floor) continue;
      if (kept.length && P.duplicate(c, kept, spec)) continue;
      if (score < d.sure_score) {
        if (checks >= d.max_checks || !P.faceShaped(keypoints, Math.max(w, h), spec)) continue;
        checks += 1;
        const [flag] = (await run(this.runtime, this.presence, P.presenceInput(bright, c, keypoints, spec), [1, 192, 192, 3]))
          .sort((a, b) => a.length - b.length);
        const clip = Math.max(-d.raw_score_clip, Math.min(d.raw_score_clip, flag[0]));
        if (1 / (1 + Math.exp(-clip)) < d.presence_score) continue;
      }
      kept.push(c);
      faces.push({ box: [c[0], c[1], w, h], keypoints, score });
    }
    return faces.sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3]);
  }

  // ml.inference.EmotionRecognizer.analyze on a decoded image: one frame of the API's result.
  async analyseImage({ width, height, rgb }) {
    const spec = this.spec;
    const gray = P.toGray(rgb);
    const detections = await this.detect(rgb);
    const scale = width / gray.width;
    const shortSide = Math.min(gray.width, gray.height);
    const faces = [];
    for (const face of detections) {
      const crop = P.cropFace(gray, face, spec);
      const [logits] = await run(this.runtime, this.emotion, P.emotionInput(crop, spec), [2, spec.crop.size, spec.crop.size, 1]);
      const probabilities = P.probabilities(logits, spec);
      faces.push({
        box: P.fullSizeBox(face.box, scale, width, height),
        probabilities: Object.fromEntries(spec.labels.map((label, i) => [label, probabilities[i]])),
        quality: P.quality(crop, Math.max(face.box[2], face.box[3]) / shortSide, spec),
      });
    }
    return { width, height, faces };
  }

  async analysePhoto(blob) {
    return { kind: "upload", model_version: this.spec.model_version, frames: [await this.analyseImage(await decode(blob, this.spec))] };
  }

  async analyseBurst(blobs) {
    const frames = [];
    for (const blob of blobs) frames.push(await this.analyseImage(await decode(blob, this.spec)));
    return { kind: "webcam", model_version: this.spec.model_version, frames };
  }
}

// The runtime and models, loaded once per page (the browser caches the files across visits).
let loading = null;

export function onDevice(assets) {
  if (!loading) {
    loading = (async () => {
      if (typeof WebAssembly !== "object") throw new Error("this browser cannot run WebAssembly");
      const [spec, runtime] = await Promise.all([fetchJson(assets.pipeline), import(assets.runtime)]);
      await runtime.loadLiteRt(assets.wasm);
      return new Device(spec, assets, runtime).load();
    })();
    loading.catch(() => { loading = null; });
  }
  return loading;
}
