"""Pages: "How are you feeling?" and the result page. JavaScript enhances both, but
every action also works as a plain form post."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import consent_required
from ml.labels import EMOTIONS
from music import selectors as music_selectors
from symphony.middleware import body_limit

from . import selectors, services
from .models import Submission


def _owned_or_404(request, submission_id) -> Submission:
    submission = selectors.submission_get(user=request.user, submission_id=submission_id)
    if submission is None:
        raise Http404
    return submission


@body_limit("upload")
@require_http_methods(["GET", "POST"])
@consent_required
def feel(request):
    error = None
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("emotion"):
                submission = services.submission_create_manual(user=request.user, emotion=request.POST["emotion"])
            else:
                submission = services.submission_create(
                    user=request.user, files=request.FILES.getlist("image"), kind=Submission.Kind.UPLOAD
                )
            return redirect("detection:submission", submission_id=submission.pk)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 413 if exc.code == "too_large" else 400
    return render(request, "detection/feel.html", {"emotions": EMOTIONS, "error": error}, status=status)


def _result_context(request, submission: Submission) -> dict:
    faces = list(submission.faces.all())
    # A webcam burst has the same person in every frame: offer the faces of the
    # frame shown, not one per frame.
    shown_frame = submission.selected_face.frame_index if submission.selected_face else 0
    recommendation = selectors.submission_recommendation(submission)
    song_ids = [item.song_id for item in recommendation.items.all()] if recommendation else []
    return {
        "submission": submission,
        "emotions": EMOTIONS,
        "bars": [(name, (submission.emotions or {}).get(name, 0.0)) for name in EMOTIONS],
        "faces": [face for face in faces if face.frame_index == shown_frame],
        "faces_data": [{"id": f.pk, "frame": f.frame_index, "box": f.box, "top_emotion": f.top_emotion} for f in faces],
        "has_image": submission.frames.exists(),
        "recommendation": recommendation,
        # One query for the like/dislike state of every song instead of one per song.
        "ratings": music_selectors.ratings_for(user=request.user, song_ids=song_ids),
    }


@require_GET
@login_required
def submission_detail(request, submission_id: int):
    submission = _owned_or_404(request, submission_id)
    template = "detection/_result.html" if request.GET.get("fragment") == "result" else "detection/result.html"
    return render(request, template, _result_context(request, submission))


@require_POST
@login_required
def submission_correct(request, submission_id: int):
    submission = _owned_or_404(request, submission_id)
    try:
        services.submission_correct(submission=submission, emotion=request.POST.get("emotion", ""))
        messages.success(request, "Thanks — we'll use that.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("detection:submission", submission_id=submission.pk)


@require_POST
@login_required
def submission_face(request, submission_id: int):
    submission = _owned_or_404(request, submission_id)
    try:
        services.submission_face_select(submission=submission, face_id=int(request.POST.get("face", "")))
    except (ValueError, ValidationError):
        messages.error(request, "That face is not part of this photo.")
    return redirect("detection:submission", submission_id=submission.pk)


@require_POST
@login_required
def submission_delete(request, submission_id: int):
    services.submission_delete(submission=_owned_or_404(request, submission_id))
    messages.success(request, "Deleted.")
    return redirect("detection:feel")
