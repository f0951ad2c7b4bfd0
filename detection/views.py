"""Pages: "How are you feeling?" and the result page. JavaScript enhances both, but
every action also works as a plain form post."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import consent_required
from ml.labels import EMOTIONS
from ml.text import TEXT_MAX_CHARS
from music.library import selectors as music_selectors
from music.player import with_player
from symphony.middleware import body_limit
from symphony.shortcuts import delete_confirmed, object_or_404

from . import selectors, services
from .models import CheckIn

# Seconds each long poll of the result page (its script, its Refresh link) is held while the
# analysis runs: long enough that a result comes in one answer, short of proxies' timeouts.
RESULT_WAIT_S = 10


def _owned_or_404(request, check_in_id) -> CheckIn:
    return object_or_404(selectors.check_in_get(user=request.user, check_in_id=check_in_id))


@body_limit("upload")
@require_http_methods(["GET", "POST"])
@consent_required
def feel(request):
    error = None
    status = 200
    text, keep_text = request.POST.get("text", ""), not request.POST.get("forget_text")
    if request.method == "POST":
        try:
            return redirect("detection:check-in", check_in_id=_feel_create(request, text, keep_text).pk)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 413 if exc.code == "too_large" else 400
    context = {"emotions": EMOTIONS, "error": error, "text": text, "forget_text": not keep_text}
    # The page's script reads the faces in the browser for users who chose it (detection.ondevice).
    context["analyse_on_device"] = request.user.analyse_on_device
    return render(request, "detection/feel.html", {**context, "text_max": TEXT_MAX_CHARS}, status=status)


def _feel_create(request, text: str, keep_text: bool) -> CheckIn:
    """The check-in a post of the feel page asks for: a mood picked by hand, words, or a photo
    (with the words, when any were written)."""
    if request.POST.get("emotion"):
        return services.check_in_create_manual(user=request.user, emotion=request.POST["emotion"])
    if request.POST.get("way") == "words":
        return services.check_in_create_words(user=request.user, text=text, keep_text=keep_text)
    return services.check_in_create(
        user=request.user,
        files=request.FILES.getlist("image"),
        kind=CheckIn.Kind.UPLOAD,
        text=text if text.strip() else None,
        keep_text=keep_text,
    )


def _result_context(request, check_in: CheckIn) -> dict:
    faces = list(check_in.faces.all())
    # A webcam burst has the same person in every frame: offer the faces of the
    # frame shown, not one per frame.
    shown_frame = check_in.selected_face.frame_index if check_in.selected_face else 0
    recommendation = selectors.check_in_recommendation(check_in)
    song_ids = [item.song_id for item in recommendation.items.all()] if recommendation else []
    return {
        "check_in": check_in,
        "emotions": EMOTIONS,
        "bars": [(name, (check_in.emotions or {}).get(name, 0.0)) for name in EMOTIONS],
        "readings_table": _readings_table(check_in),
        "faces": [face for face in faces if face.frame_index == shown_frame],
        "faces_data": [{"id": f.pk, "frame": f.frame_index, "box": f.box, "top_emotion": f.top_emotion} for f in faces],
        "has_image": bool(check_in.frames.all()),
        "recommendation": recommendation,
        # One query for the like/dislike state of every song instead of one per song.
        "ratings": music_selectors.ratings_for(user=request.user, song_ids=song_ids),
    }


def _readings_table(check_in: CheckIn) -> list[tuple]:
    """A selfie with words: per emotion, the face's, the words' and the fused share; else []."""
    face, words = check_in.readings.get("face"), check_in.readings.get("words")
    if not (face and words and check_in.emotions):
        return []
    return [(n, face["emotions"][n], words["emotions"][n], check_in.emotions[n]) for n in EMOTIONS]


def _wait_s(request) -> float:
    """`?wait=S`: seconds to hold the answer (selectors.check_in_status caps it); 0 when absent or unreadable."""
    try:
        wait = float(request.GET.get("wait", 0))
    except ValueError:
        return 0.0
    return wait if math.isfinite(wait) and wait > 0 else 0.0


@with_player
@require_GET
@login_required
def check_in_detail(request, check_in_id: int):
    """The result page, or with `?fragment=result` its #result region alone (what the page's script
    swaps in). With `?wait=S` the answer is held until the analysis is finished, at most S seconds:
    the status API's long poll (selectors.check_in_get's wait), answered in HTML."""
    check_in = object_or_404(selectors.check_in_get(user=request.user, check_in_id=check_in_id, wait=_wait_s(request)))
    template = "detection/_result.html" if request.GET.get("fragment") == "result" else "detection/result.html"
    # An unfinished check-in shows only its progress: nothing else to read for it.
    context = _result_context(request, check_in) if check_in.is_finished else {"check_in": check_in}
    return render(request, template, {**context, "wait_s": RESULT_WAIT_S})


@require_POST
@login_required
def check_in_correct(request, check_in_id: int):
    check_in = _owned_or_404(request, check_in_id)
    try:
        services.check_in_correct(check_in=check_in, emotion=request.POST.get("emotion", ""))
        messages.success(request, "Thanks — we'll use that.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("detection:check-in", check_in_id=check_in.pk)


@require_POST
@login_required
def check_in_face(request, check_in_id: int):
    check_in = _owned_or_404(request, check_in_id)
    try:
        services.check_in_face_select(check_in=check_in, face_id=int(request.POST.get("face", "")))
    except (ValueError, ValidationError):
        messages.error(request, "That face is not part of this photo.")
    return redirect("detection:check-in", check_in_id=check_in.pk)


@require_http_methods(["GET", "POST"])
@login_required
def check_in_delete(request, check_in_id: int):
    check_in = _owned_or_404(request, check_in_id)
    if not delete_confirmed(request):
        return render(request, "detection/confirm_delete.html", {"check_in": check_in})
    label = check_in.label
    services.check_in_delete(check_in=check_in)
    messages.success(request, f"Deleted your check-in of {label}.")
    return redirect("detection:feel")
