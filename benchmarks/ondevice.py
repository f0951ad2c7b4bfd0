"""On-device analysis in headless Chromium beside the server's pipeline, on the same photos in one run.

    python benchmarks/ondevice.py --json [--repeats 7]

Prints one JSON object. The browser side is the feel page's own code
(static/js/ondevice/analyse.mjs on LiteRT.js, CPU, one thread) served with the
files bin/setup puts in static/vendor/; the server side is ml.inference's
EmotionRecognizer (one thread), as benchmarks/inference.py measures it. For
each photo (../shared/data/photos/*.jpg, plus inference.py's 1280x720 test
photo, which needs no shared data):
- device_ms_p50: the median of `repeats` analyses after two warm-up runs
  (the models are loaded once, first: model_load_ms);
- server_ms_p50: the same for EmotionRecognizer.analyze on the same bytes;
- ratio: device / server (the bar: at most 4);
- faces, top emotions and the largest per-face L1 distance between the two
  sides' probabilities (the browser tests hold the same to 0.05).
ratio_max and ratio_geomean summarise the photos.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PHOTOS = REPO.parent / "shared" / "data" / "photos"
BAR = 4.0

HARNESS = """<!doctype html><meta charset="utf-8"><title>on-device benchmark</title>
<script type="module">
import { onDevice } from "/static/js/ondevice/analyse.mjs";
window.bench = async (assets, names, repeats) => {
  const started = performance.now();
  const device = await onDevice(assets);
  const out = { model_load_ms: performance.now() - started, photos: {} };
  for (const name of names) {
    const blob = await (await fetch("/photos/" + name)).blob();
    let result;
    for (let i = 0; i < 2; i++) result = await device.analysePhoto(blob);
    const times = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      await device.analysePhoto(blob);
      times.push(performance.now() - t);
    }
    out.photos[name] = { times, faces: result.frames[0].faces };
  }
  return out;
};
</script>"""


class Handler(SimpleHTTPRequestHandler):
    photos: dict[str, bytes] = {}

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/":
            return self._send(HARNESS.encode(), "text/html")
        if path.startswith("/photos/") and path[8:] in self.photos:
            return self._send(self.photos[path[8:]], "image/jpeg")
        return super().do_GET()

    def _send(self, body: bytes, kind: str):
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def assets() -> dict:
    from ml import browser

    package = json.loads((REPO / "package.json").read_text())
    runtime = f"/static/vendor/litertjs-{package['dependencies']['@litertjs/core']}/"
    models = f"/static/vendor/{browser.folder_name(browser.load_pipeline())}/"
    if not (REPO / models.strip("/") / "pipeline.json").is_file():
        raise SystemExit(f"{models} is missing: run bin/setup first")
    return {
        "pipeline": models + "pipeline.json",
        "models": models,
        "runtime": runtime + "litert.mjs",
        "wasm": runtime + "wasm/",
    }


def photos() -> dict[str, bytes]:
    from benchmarks.inference import test_photo

    found = {"test-1280x720.jpg": test_photo()}
    found.update({path.name: path.read_bytes() for path in sorted(PHOTOS.glob("*.jpg"))})
    return found


def browser_side(files: dict[str, bytes], repeats: int) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM_ARGS, chromium_path

    Handler.photos = files
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(REPO)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = chromium.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/")
            page.wait_for_function("window.bench !== undefined")
            page.set_default_timeout(600_000)
            result = page.evaluate("([a, n, r]) => bench(a, n, r)", [assets(), list(files), repeats])
            chromium.close()
    finally:
        server.shutdown()
    return result


def server_side(files: dict[str, bytes], repeats: int) -> dict:
    from ml.inference import EmotionRecognizer

    recognizer = EmotionRecognizer(num_threads=1)
    out = {}
    for name, data in files.items():
        for _ in range(2):
            analysis = recognizer.analyze(data)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            recognizer.analyze(data)
            times.append((time.perf_counter() - started) * 1000)
        out[name] = {"times": times, "faces": analysis.faces}
    return out


def compare(device: dict, server: dict) -> dict:
    """Per photo: times, ratio, and how closely the two sides agree on each face the server found."""
    rows = {}
    for name, mine in device["photos"].items():
        theirs = server[name]
        worst_l1, tops_agree = 0.0, True
        for face in theirs["faces"]:
            match = max(mine["faces"], key=lambda f: _iou(f["box"], face.box), default=None)
            if match is None or _iou(match["box"], face.box) < 0.5:
                worst_l1, tops_agree = 2.0, False
                continue
            worst_l1 = max(
                worst_l1, sum(abs(face.probabilities[k] - match["probabilities"][k]) for k in face.probabilities)
            )
            tops_agree &= max(match["probabilities"], key=match["probabilities"].get) == face.top_emotion
        device_ms, server_ms = statistics.median(mine["times"]), statistics.median(theirs["times"])
        rows[name] = {
            "device_ms_p50": round(device_ms, 1),
            "server_ms_p50": round(server_ms, 1),
            "ratio": round(device_ms / server_ms, 2),
            "faces_device": len(mine["faces"]),
            "faces_server": len(theirs["faces"]),
            "top_emotions_agree": tops_agree,
            "max_l1": round(worst_l1, 4),
        }
    return rows


def _iou(a, b) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(a[2] * a[3] + b[2] * b[3] - inter, 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default prints it too)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    files = photos()
    device = browser_side(files, args.repeats)
    rows = compare(device, server_side(files, args.repeats))
    ratios = [row["ratio"] for row in rows.values()]
    print(
        json.dumps(
            {
                "model_load_ms": round(device["model_load_ms"], 1),
                "photos": rows,
                "ratio_max": max(ratios),
                "ratio_geomean": round(statistics.geometric_mean(ratios), 2),
                "bar_ratio": BAR,
                "max_l1": max(row["max_l1"] for row in rows.values()),
                "threads": 1,
                "shared_photos": len(rows) - 1,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
