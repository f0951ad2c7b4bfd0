// The "Analyse on this device" switch on the feel page. When it is on, detection-feel.js hands the
// photo or the burst to window.symphonyOnDevice.submit, which analyses it here (analyse.mjs) and
// sends only the result to the API. When this device cannot (no WebAssembly: the switch stays
// hidden; the models do not load; a photo takes longer than SLOW_MS), nothing is sent: the page
// says why in words and turns the switch off, so the next press of the button takes the server
// path. A photo the user wanted kept on the device is never sent without that second press.
import { onDevice } from "./analyse.mjs";
import { assetsOf, sendJson } from "./api.mjs";

const SLOW_MS = 3000; // a photo's analysis, once the models are loaded
const LOAD_MS = 60000; // the first download of the models on a slow connection
const SLOW_KEY = "symphony-on-device-slow";

const box = document.getElementById("on-device-choice");

function withTimeout(promise, ms, message) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

if (box && typeof WebAssembly === "object") {
  const input = document.getElementById("on-device");
  const status = document.getElementById("on-device-status");
  const assets = assetsOf(box);
  const say = (text) => { status.textContent = text; };
  const load = () => withTimeout(onDevice(assets), LOAD_MS, "the models took too long to load");

  box.hidden = false;
  if (sessionStorage.getItem(SLOW_KEY)) say("This device was too slow last time; your photo would be analysed on our server.");
  if (input.checked) load().catch(() => {}); // start the download before the photo is chosen
  input.addEventListener("change", () => {
    say("");
    if (input.checked) load().catch(() => {});
    // Remembered per user (the profile's analyse_on_device); the page works on if this fails.
    sendJson(box.dataset.me, { analyse_on_device: input.checked }, "PATCH").catch(() => {});
  });

  window.symphonyOnDevice = {
    chosen: () => input.checked && !sessionStorage.getItem(SLOW_KEY),

    // {photo: File} or {frames: [Blob]}, and optional words {text, keep_text}. Resolves with the
    // created check-in (the API's body); rejects with a message for the page when it cannot.
    async submit({ photo, frames, words }) {
      let result;
      try {
        const device = await load();
        say(photo ? "Reading your face on this device…" : "Reading your expression on this device…");
        const work = photo ? device.analysePhoto(photo) : device.analyseBurst(frames);
        result = await withTimeout(work, photo ? SLOW_MS : SLOW_MS * frames.length, "this device is too slow for it");
      } catch (err) {
        if (String(err.message).includes("too slow")) sessionStorage.setItem(SLOW_KEY, "1");
        input.checked = false;
        const message = `We couldn't analyse it on this device (${err.message}). Nothing was sent. ` +
          "Press the button again to have our server analyse it instead.";
        say(message);
        throw new Error(message);
      }
      say("");
      return sendJson(box.dataset.api, { ...result, ...(words || {}) });
    },
  };
}
