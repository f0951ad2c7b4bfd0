"""On-device analysis: the browser found and read the faces itself, with ml's own models and numbers
(ml.browser), and sent only the results. Here they are checked and stored as the worker's would be.

What arrives is untrusted numbers. Their types and ranges are the API's (detection.api_ondevice);
the rules between them are here: the model is ours, a distribution sums to 1, a box lies in its
image, an image is within the pixel cap of its kind. No image arrives, so none is stored anywhere.
"""

import json
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from ml.labels import EMOTIONS

from . import analysis, services, uploads, words
from .messages import PAGE_OUT_OF_DATE
from .models import CheckIn

# The browser's probabilities are float32, rounded on their way into JSON.
SUM_TOLERANCE = 0.01
# Pixels a box may pass its image's edge by: the browser scales its boxes back to the full image.
BOX_SLACK = 1


@cache
def known_model_version() -> str:
    """The one model results may come from: the shipped pipeline's (ml/models/pipeline.json)."""
    from ml import browser

    return browser.load_pipeline()["model_version"]


def _frame_problems(kind: str, at: str, frame: dict) -> dict[str, list[str]]:
    width, height, limit = frame["width"], frame["height"], uploads.max_pixels(kind)
    problems = {}
    if width * height > limit:
        problems[at] = [f"The image is {width}x{height}: more than the {limit:,} pixels allowed."]
    for number, face in enumerate(frame["faces"]):
        x, y, w, h = face["box"]
        if w <= 0 or h <= 0:
            problems[f"{at}.faces.{number}.box"] = ["A face box needs a width and a height above 0."]
        elif x + w > width + BOX_SLACK or y + h > height + BOX_SLACK:
            problems[f"{at}.faces.{number}.box"] = [f"The face box runs outside its {width}x{height} image."]
        total = sum(face["probabilities"].values())
        if abs(total - 1) > SUM_TOLERANCE:
            problems[f"{at}.faces.{number}.probabilities"] = [f"The probabilities sum to {total:.4g}, not to 1."]
    return problems


def results_check(*, kind: str, model_version_sent: str, frames: list[dict]) -> None:
    """Raise ValidationError, naming every field at fault, unless the results can be stored.
    A result from another model is refused alone: the page that made it must be reloaded."""
    if model_version_sent != known_model_version():
        raise ValidationError(
            {"model_version": [PAGE_OUT_OF_DATE.format(sent=model_version_sent, current=known_model_version())]}
        )
    if kind not in (CheckIn.Kind.UPLOAD, CheckIn.Kind.WEBCAM):
        raise ValidationError({"kind": [f"Unknown kind {kind!r}: upload or webcam."]})
    problems = {}
    most = 1 if kind == CheckIn.Kind.UPLOAD else settings.MAX_BURST_FRAMES
    if not 1 <= len(frames) <= most:
        what = "A photo is one frame" if most == 1 else f"A webcam burst is 1 to {most} frames"
        problems["frames"] = [f"{what}, not {len(frames)}."]
    for index, frame in enumerate(frames):
        if len(frame["faces"]) > settings.MAX_FACES_PER_IMAGE:
            problems[f"frames.{index}.faces"] = [f"At most {settings.MAX_FACES_PER_IMAGE} faces per image."]
        problems |= _frame_problems(kind, f"frames.{index}", frame)
    if problems:
        raise ValidationError(problems)


def _face(face: dict, width: int, height: int):
    """ml's FaceEmotion for one face, as ml.inference makes it: the distribution rescaled to sum to
    1, its top and confidence, the box in whole pixels cut to the image."""
    from ml import inference

    total = sum(face["probabilities"].values())
    probabilities = {name: face["probabilities"][name] / total for name in EMOTIONS}
    top = max(EMOTIONS, key=probabilities.__getitem__)
    x, y, w, h = face["box"]
    x0, y0 = min(round(x), width - 1), min(round(y), height - 1)
    box = (x0, y0, max(1, min(round(w), width - x0)), max(1, min(round(h), height - y0)))
    return inference.FaceEmotion(box, probabilities, top, probabilities[top], face["quality"])


def results_analysis(kind: str, frames: list[dict]):
    """The checked results as ml's own analysis: an ImageAnalysis for a photo, a BurstAnalysis for a burst."""
    from ml import inference

    analyses = [
        inference.ImageAnalysis(
            frame["width"], frame["height"], [_face(face, frame["width"], frame["height"]) for face in frame["faces"]]
        )
        for frame in frames
    ]
    return analyses[0] if kind == CheckIn.Kind.UPLOAD else inference.burst_of(analyses)


def check_in_create_on_device(
    *, user, kind: str, model_version: str, frames: list[dict], text: str | None = None, keep_text: bool = True
) -> CheckIn:
    """A check-in from results the user's device made: finished at once, with the rows a server
    analysis writes (faces, the mood of "you", fused with any words, songs), or failed with the
    server's message when no face was found. Raises ValidationError, creating nothing, on bad input."""
    results_check(kind=kind, model_version_sent=model_version, frames=frames)
    read, problem = analysis.faces_of(results_analysis(kind, frames))
    said = words.words_fields(text, keep_text)
    with transaction.atomic():
        check_in = CheckIn.objects.create(
            owner=user, kind=kind, analysed_on=CheckIn.AnalysedOn.DEVICE, status=CheckIn.Status.RUNNING, **said
        )
        check_in.started_at = check_in.created_at
        check_in.save(update_fields=["started_at"])
        if problem:
            return services.check_in_fail(check_in.pk, problem)
        services.check_in_result_save(check_in, read)
    return check_in


@cache
def _runtime_version() -> str:
    # package.json pins the runtime; bin/setup copies it into static/vendor/litertjs-<version>/.
    package = json.loads((settings.BASE_DIR / "package.json").read_text())
    return package["dependencies"]["@litertjs/core"]


@cache
def device_assets() -> dict[str, str]:
    """Where the runtime, the models and the pipeline's definition are served. The folders carry
    their versions, so browsers keep the files across visits (WHITENOISE_IMMUTABLE_FILE_TEST)."""
    from ml import browser

    spec = browser.load_pipeline()
    models = f"{settings.STATIC_URL}vendor/{browser.folder_name(spec)}/"
    runtime = f"{settings.STATIC_URL}vendor/litertjs-{_runtime_version()}/"
    return {
        "pipeline": models + "pipeline.json",
        "models": models,
        "runtime": runtime + "litert.mjs",
        "wasm": runtime + "wasm/",
    }
