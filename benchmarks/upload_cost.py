"""What the worst accepted upload costs, web process and worker together: peak memory and CPU time, on one core.

    python benchmarks/upload_cost.py --json

Builds, at the caps in settings (bytes, photo pixels, burst-frame pixels), the
files that are most expensive to accept: every format and pixel layout the app
takes (baseline and progressive JPEG, CMYK JPEG, 8- and 16-bit PNG with and
without alpha, palette PNG with transparency, lossy and lossless WebP, extreme
aspect ratios). Each goes through exactly what an upload runs, in a fresh process
pinned to one core: the web process's detection.uploads.image_check (header
checks only, no pixel decoded), then the worker's decode in the worst case, a
keeper's image: one bounded decode for both the analysis (at
ml.inference.DECODE_SIDE) and the clean JPEG it is kept as
(ml.imageio.decode_and_sanitize; a JPEG decodes twice, each at its own DCT scale). Prints one
JSON object:

    worst_photo_peak_mb    peak RSS increase over the process's standing memory
    worst_photo_ms         CPU time (user + system) for the costliest photo, web + worker
    worst_photo_web_ms     of which the web process (the header checks)
    worst_burst_ms         CPU time for a burst of MAX_BURST_FRAMES of the costliest frame
    worst_burst_peak_mb
    rejected_16bit_bomb_ms the 91 KB 16-bit 6300x6300 PNG of issue 12, refused from its header
    photos / frames        every candidate: bytes, pixels, cpu ms, peak MB

The bars (issue 12): photo <= 300 MB and <= 1000 ms, burst <= 2000 ms.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from benchdb import benchmark_throttle_rates

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _settings():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symphony.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.update(benchmark_throttle_rates())
    import django

    django.setup()
    from django.conf import settings

    return settings


# --- candidate files ----------------------------------------------------------


def _shape(pixels: int, aspect: float) -> tuple[int, int]:
    """The largest (width, height) with width / height ~ aspect and width * height <= pixels."""
    height = max(1, int((pixels / aspect) ** 0.5))
    width = pixels // height
    return width, height


def _photo_like(width: int, height: int, noise: float, channels: int = 3):
    """A photo's texture at full size: a real face scaled up, plus grain (grain is what costs bytes)."""
    import numpy as np
    from PIL import Image
    from skimage import data

    base = Image.fromarray(data.astronaut()).resize((width, height), Image.Resampling.BILINEAR)
    array = np.asarray(base, dtype=np.int16)
    if noise:
        rng = np.random.default_rng(0)
        array = array + rng.normal(0, noise, size=array.shape).astype(np.int16)
    array = np.clip(array, 0, 255).astype(np.uint8)
    if channels == 4:
        alpha = np.linspace(60, 255, width, dtype=np.uint8)[None, :].repeat(height, 0)
        array = np.dstack([array, alpha])
    return array


def _encode(array, fmt: str, **params) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(array).save(out, fmt, **params)
    return out.getvalue()


def _fit(make, max_bytes: int, levels=(12, 6, 3, 1.5, 0)) -> bytes:
    """The grainiest version of a file that still fits under the byte cap."""
    for noise in levels:
        data = make(noise)
        if len(data) <= max_bytes:
            return data
    raise SystemExit("could not make a candidate under the byte cap")


# Grain in 16-bit units: random low bits are what make a 16-bit file large.
SIXTEEN_BIT_GRAIN = (64, 16, 8, 4, 2, 1, 0)


def _png_16bit(width: int, height: int, channels: int, noise: float) -> bytes:
    """A 16-bit PNG (gray or RGBA) with a gradient and grain: Pillow cannot write these, so by hand."""
    import numpy as np

    rng = np.random.default_rng(1)
    ramp = np.linspace(0, 65535, width, dtype=np.float32)
    rows = []
    packer = zlib.compressobj(6)
    chunks = []
    for y in range(height):
        line = ramp + rng.normal(0, noise, width).astype(np.float32) + y
        line = np.clip(line, 0, 65535).astype(">u2")
        if channels == 4:
            line = np.repeat(line, 4)
        # PNG's "Sub" filter (each byte minus the same byte of the pixel before), as encoders
        # pick for smooth images: it is what lets a 16-bit photo fit under the byte cap.
        raw = np.frombuffer(line.tobytes(), dtype=np.uint8)
        bpp = 2 * channels
        sub = raw.copy()
        sub[bpp:] = raw[bpp:] - raw[:-bpp]
        rows.append(b"\x01" + sub.tobytes())
        if len(rows) == 64:
            chunks.append(packer.compress(b"".join(rows)))
            rows = []
    chunks.append(packer.compress(b"".join(rows)) + packer.flush())

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    color_type = 6 if channels == 4 else 0
    ihdr = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(chunks)) + chunk(b"IEND", b"")


def candidates(max_pixels: int, max_bytes: int) -> dict[str, bytes]:
    import numpy as np

    w, h = _shape(max_pixels, 4 / 3)
    files = {
        "jpeg-q95": _fit(lambda n: _encode(_photo_like(w, h, n), "JPEG", quality=95), max_bytes),
        "jpeg-progressive-444": _fit(
            lambda n: _encode(_photo_like(w, h, n), "JPEG", quality=95, progressive=True, subsampling=0), max_bytes
        ),
        "jpeg-cmyk": _fit(lambda n: _encode_mode(_photo_like(w, h, n), "CMYK", "JPEG", quality=92), max_bytes),
        "png-rgb": _fit(lambda n: _encode(_photo_like(w, h, n), "PNG"), max_bytes),
        "png-rgba": _fit(lambda n: _encode(_photo_like(w, h, n, channels=4), "PNG"), max_bytes),
        "png-palette-transparent": _fit(lambda n: _palette_png(_photo_like(w, h, n)), max_bytes),
        "png-16bit-gray": _fit(lambda n: _png_16bit(w, h, 1, n), max_bytes, SIXTEEN_BIT_GRAIN),
        "png-16bit-rgba": _fit(lambda n: _png_16bit(w, h, 4, n), max_bytes, SIXTEEN_BIT_GRAIN),
        "webp-lossy": _fit(lambda n: _encode(_photo_like(w, h, n), "WEBP", quality=95), max_bytes),
        "webp-lossless-rgba": _fit(
            lambda n: _encode(_photo_like(w, h, n, channels=4), "WEBP", lossless=True, method=0), max_bytes
        ),
    }
    # Extreme shapes at the same pixel count: a panorama strip and a one-pixel line.
    files["png-panorama-40x1"] = _fit(lambda n: _encode(_photo_like(*_shape(max_pixels, 40.0), n), "PNG"), max_bytes)
    line = np.tile(np.arange(256, dtype=np.uint8), max_pixels // 256 + 1)[:max_pixels]
    files["png-1px-line"] = _encode(np.dstack([line[None, :]] * 3), "PNG")
    return files


def _encode_mode(array, mode: str, fmt: str, **params) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(array).convert(mode).save(out, fmt, **params)
    return out.getvalue()


def _palette_png(array) -> bytes:
    from PIL import Image

    image = Image.fromarray(array).quantize(256)
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    return out.getvalue()


def bomb_16bit() -> bytes:
    """Issue 12's 91 KB upload: a flat 16-bit 6300x6300 PNG (40 MP, under the old 40 MP cap)."""
    return _png_16bit_flat(6300, 6300)


def _png_16bit_flat(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00\x00" * width
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- measuring, one fresh process per case -------------------------------------


def _status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (its high-water mark) of this process, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    # Linux >= 4.0: "5" resets the high-water mark to the current resident size.
    Path("/proc/self/clear_refs").write_text("5")


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_child(paths: list[str], kind: str) -> dict:
    """Runs in the child: check each file as the web process does, then decode it as the worker does."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    settings = _settings()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from detection.uploads import image_check
    from ml import imageio
    from ml.inference import DECODE_SIDE

    def accept(upload, label: str) -> None:
        data = image_check(upload, label, max_pixels=max_pixels)
        web.append(_cpu_s())
        # The worst case: a keeper's image, decoded for the analysis and kept as a clean JPEG.
        imageio.decode_and_sanitize(
            data, max_bytes=settings.MAX_UPLOAD_BYTES, max_pixels=max_pixels, min_side=DECODE_SIDE
        )

    web: list[float] = []
    max_pixels = settings.MAX_PHOTO_PIXELS if kind == "photo" else settings.MAX_FRAME_PIXELS
    from PIL import Image

    # Warm-up: Pillow's plugins and codecs loaded, as in a web process that served a request.
    for fmt in ("JPEG", "PNG", "WEBP"):
        warm = io.BytesIO()
        Image.new("RGB", (64, 48), (90, 120, 30)).save(warm, fmt)
        accept(SimpleUploadedFile("w", warm.getvalue()), "The file")
    # Measured from before the upload's bytes are read: a request reads them into memory too.
    base_mb = _status_mb("VmRSS")
    _reset_peak()
    cpu, wall = _cpu_s(), time.perf_counter()
    uploads = [Path(path).read_bytes() for path in paths]
    refused = None
    web_s = 0.0
    for index, data in enumerate(uploads):
        started = _cpu_s()
        try:
            accept(SimpleUploadedFile(f"{index}.img", data), f"Frame {index + 1}")
            web_s += web[-1] - started
        except ValidationError as exc:
            refused = " ".join(exc.messages)
            web_s += _cpu_s() - started
    return {
        "cpu_ms": round((_cpu_s() - cpu) * 1000, 1),
        "web_cpu_ms": round(web_s * 1000, 2),
        "wall_ms": round((time.perf_counter() - wall) * 1000, 1),
        "peak_mb": round(_status_mb("VmHWM") - base_mb, 1),
        "standing_mb": round(base_mb, 1),
        "refused": refused,
    }


def run_case(paths: list[Path], kind: str) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "DEBUG": "1"}
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, *map(str, paths)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def candidate_costs(kind: str, max_pixels: int, settings, tmp: Path) -> dict[str, dict]:
    """What accepting each candidate costs: one photo, or a burst of MAX_BURST_FRAMES frames."""
    from PIL import Image

    costs = {}
    for name, data in candidates(max_pixels, settings.MAX_UPLOAD_BYTES).items():
        path = tmp / f"{kind}-{name}"
        path.write_bytes(data)
        paths = [path] if kind == "photo" else [path] * settings.MAX_BURST_FRAMES
        result = run_case(paths, kind)
        if result["refused"]:
            raise SystemExit(f"{kind} candidate {name} was refused: {result['refused']}")
        with Image.open(path) as image:
            size = f"{image.width}x{image.height}"
        measured = {key: result[key] for key in ("cpu_ms", "web_cpu_ms", "wall_ms", "peak_mb")}
        costs[name] = {"bytes": len(data), "size": size, **measured}
    return costs


def worst_cases(report: dict, bomb: Path, rejected: dict) -> dict:
    """The headline figures: the costliest photo and burst, and what refusing issue 12's bomb cost."""
    worst_photo = max(report["photos"].items(), key=lambda item: item[1]["cpu_ms"])
    worst_frame = max(report["frames"].items(), key=lambda item: item[1]["cpu_ms"])
    return {
        "worst_photo": worst_photo[0],
        "worst_photo_ms": worst_photo[1]["cpu_ms"],
        "worst_photo_web_ms": max(row["web_cpu_ms"] for row in report["photos"].values()),
        "worst_photo_peak_mb": max(row["peak_mb"] for row in report["photos"].values()),
        "worst_frame": worst_frame[0],
        "worst_burst_ms": worst_frame[1]["cpu_ms"],
        "worst_burst_web_ms": max(row["web_cpu_ms"] for row in report["frames"].values()),
        "worst_burst_peak_mb": max(row["peak_mb"] for row in report["frames"].values()),
        "rejected_16bit_bomb_bytes": bomb.stat().st_size,
        "rejected_16bit_bomb_ms": rejected["cpu_ms"],
        "rejected_16bit_bomb_peak_mb": rejected["peak_mb"],
        "rejected_16bit_bomb_message": rejected["refused"],
        "standing_mb": rejected["standing_mb"],
        "bars": {"photo_peak_mb": 300, "photo_ms": 1000, "burst_ms": 2000},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *paths = args.child
        print(json.dumps(measure_child(paths, kind)))
        return

    settings = _settings()
    tmp = Path(tempfile.mkdtemp(prefix="upload-cost-"))
    report: dict = {
        "caps": {
            "max_upload_bytes": settings.MAX_UPLOAD_BYTES,
            "max_photo_pixels": settings.MAX_PHOTO_PIXELS,
            "max_frame_pixels": settings.MAX_FRAME_PIXELS,
            "max_burst_frames": settings.MAX_BURST_FRAMES,
        },
        "load_avg_1m_before": round(os.getloadavg()[0], 2),
        "photos": candidate_costs("photo", settings.MAX_PHOTO_PIXELS, settings, tmp),
        "frames": candidate_costs("frame", settings.MAX_FRAME_PIXELS, settings, tmp),
    }
    bomb = tmp / "bomb.png"
    bomb.write_bytes(bomb_16bit())
    report.update(worst_cases(report, bomb, run_case([bomb], "photo")))
    if args.json:
        print(json.dumps(report))
    else:
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
