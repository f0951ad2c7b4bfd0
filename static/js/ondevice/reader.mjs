// Live mode's readings on the device: when the listener chose "Analyse on this device", live.js
// hands each burst's frames to window.symphonyOnDeviceReader.read, which analyses them here and
// sends only the result (POST /api/v1/checkins/on-device/), resolving with the done check-in.
// When this device cannot, the reading fails with a message and nothing is sent.
import { onDevice } from "./analyse.mjs";
import { assetsOf, sendJson } from "./api.mjs";

const control = document.querySelector("[data-live][data-on-device-api]");
if (control && typeof WebAssembly === "object") {
  const assets = assetsOf(control);
  window.symphonyOnDeviceReader = {
    async read(blobs) {
      let result;
      try {
        result = await (await onDevice(assets)).analyseBurst(blobs);
      } catch (err) {
        throw new Error(`We couldn't read your mood on this device (${err.message}); nothing was sent.`);
      }
      return sendJson(control.dataset.onDeviceApi, result);
    },
  };
}
