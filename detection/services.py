"""Writes and workflows for check-ins: create, analyse, correct, delete, purge."""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ml.labels import EMOTIONS
from music.recommendation.services import recommendation_create

from . import analysis, files, fusion, notify, store, uploads, words
from .messages import (
    CONSENT_GONE,
    IMAGE_GONE,
    MODEL_MISSING,
    STALE,
    TOO_MANY_ATTEMPTS,
)
from .models import FINISHED_STATUSES, CheckIn, CheckInFrame, CheckInRecommendation, FaceResult, manual_distribution

logger = logging.getLogger(__name__)


def _emotion_validate(emotion: str) -> str:
    if emotion not in EMOTIONS:
        raise ValidationError(f"Unknown emotion {emotion!r}; choose one of: {', '.join(EMOTIONS)}.", code="invalid")
    return emotion


def _unit(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


def _pending_release(check_in: CheckIn) -> None:
    """Forget the check-in's images in the store (after the commit that says they are no longer needed)."""
    keys, check_in.image_keys = check_in.image_keys, []
    transaction.on_commit(lambda: store.images_delete(keys))


def _frames_release(check_in: CheckIn, *, keep: bool = True) -> None:
    """Drop a check-in's stored images unless the owner keeps them (and keep=True), else set their expiry.

    Call inside a transaction: the files go only once the row changes commit.
    """
    _pending_release(check_in)
    if keep and check_in.owner.keeps_images:
        if check_in.frames.exists():
            check_in.image_expires_at = timezone.now() + timedelta(days=settings.KEEP_IMAGES_DAYS)
        return
    names = list(check_in.frames.values_list("image", flat=True))
    check_in.frames.all().delete()
    check_in.image_expires_at = None
    transaction.on_commit(lambda: files.files_delete(names))


# Queues a check-in's analysis: set by DetectionConfig.ready() to detection.tasks' Celery task, so
# that only tasks imports this module (its task calls check_in_analyze) and no import cycle exists.
_analysis_queue: Callable[[int], object] | None = None


def analysis_queue_set(queue: Callable[[int], object]) -> None:
    global _analysis_queue
    _analysis_queue = queue


def _enqueue(check_in_id: int) -> None:
    try:
        if _analysis_queue is None:
            raise RuntimeError("No analysis queue: DetectionConfig.ready() sets it")
        _analysis_queue(check_in_id)
    except Exception:
        # The row is committed already; a broker outage must not leave it queued
        # forever, nor turn the request into a 500.
        logger.exception("Could not enqueue analysis of check-in %s", check_in_id)
        check_in_fail(check_in_id, "We couldn't start the analysis right now. Please try again in a minute.")


def check_in_create(
    *, user, files: Sequence[UploadedFile], kind: str, text: str | None = None, keep_text: bool = True
) -> CheckIn:
    """Check an upload or webcam burst from its headers, put it in the image store, and queue its analysis.
    With `text`, the words are read now and joined to the face's reading when the analysis ends;
    the text itself is stored only with `keep_text`.

    Raises ValidationError (code "too_large" for size limits) and creates nothing
    when any file or the text is bad.
    """
    images = uploads.images_check(files, kind)
    said = words.words_fields(text, keep_text)
    # Stored before the row exists: the worker may start as soon as the row commits. If the row is
    # never written, the images expire by themselves (IMAGE_STORE_TTL_S).
    keys = store.images_put(images)
    try:
        check_in = CheckIn.objects.create(owner=user, kind=kind, image_keys=keys, **said)
    except BaseException:
        store.images_delete(keys)
        raise
    transaction.on_commit(lambda: _enqueue(check_in.pk))
    return check_in


def _create_done(*, user, kind: str, **fields) -> CheckIn:
    """A check-in with its answer already (picked by hand, said in words): done at once, with songs."""
    with transaction.atomic():
        check_in = CheckIn.objects.create(owner=user, kind=kind, status=CheckIn.Status.DONE, **fields)
        # created_at is set on insert (auto_now_add); finishing at that same instant keeps
        # finished_at >= created_at (a database constraint).
        check_in.started_at = check_in.finished_at = check_in.created_at
        check_in.save(update_fields=["started_at", "finished_at"])
        _recommend(check_in)
    return check_in


def check_in_create_manual(*, user, emotion: str) -> CheckIn:
    """The user says how they feel instead of using the camera: done at once."""
    _emotion_validate(emotion)
    # No confidence: nothing was read, so there is no figure to be sure of.
    return _create_done(user=user, kind=CheckIn.Kind.MANUAL, emotions=manual_distribution(emotion), top_emotion=emotion)


def check_in_create_words(*, user, text: str, keep_text: bool = True) -> CheckIn:
    """The user says how they feel in words: read at once (detection.words), done, with songs.
    The text is stored only with `keep_text`; its reading always is."""
    clean, reading = words.words_read(text)
    return _create_done(
        user=user,
        kind=CheckIn.Kind.WORDS,
        emotions=reading["emotions"],
        top_emotion=reading["top"],
        confidence=_unit(reading["confidence"]),
        text=clean if keep_text else "",
        readings={"words": reading},
    )


def _recommend(check_in: CheckIn):
    """Ask the music app for songs; the mood result stands even if that fails."""
    try:
        with transaction.atomic():
            recommendation = recommendation_create(
                user=check_in.owner,
                emotions=check_in.effective_distribution,
                detected=not check_in.mood_said,
                looked=check_in.photo_looked,
                read_from=check_in.read_from or "face",
                asks=check_in.readings.get("words", {}).get("asks"),
            )
            check_in_list_add(check_in=check_in, recommendation=recommendation)
            return recommendation
    except Exception:
        logger.exception("Recommendation for check-in %s failed", check_in.pk)
        return None


def check_in_list_add(*, check_in: CheckIn, recommendation) -> None:
    """Record a song list (music's) as made for this check-in: the latest one is the check-in's."""
    CheckInRecommendation.objects.create(check_in=check_in, recommendation=recommendation)


def _locked(check_in_id: int) -> CheckIn | None:
    """The check-in row, locked for this transaction; its owner is read, not locked."""
    return CheckIn.objects.select_for_update(of=("self",)).select_related("owner").filter(pk=check_in_id).first()


def check_in_fail(check_in_id: int, message: str, *, release_images: bool = False) -> CheckIn | None:
    """Mark an unfinished check-in failed with a message for its owner. With release_images its
    images go even if the owner keeps images: an analysis that never ran leaves nothing to keep."""
    with transaction.atomic():
        check_in = _locked(check_in_id)
        if check_in is None or check_in.is_finished:
            return check_in
        check_in.faces.all().delete()
        check_in.status = CheckIn.Status.FAILED
        check_in.error = message
        check_in.finished_at = timezone.now()
        _frames_release(check_in, keep=not release_images)
        check_in.save()
        transaction.on_commit(lambda: notify.finished_announce(check_in_id))
    return check_in


def _check_in_start(check_in_id: int, max_attempts: int | None) -> tuple[CheckIn | None, str]:
    """Mark the check-in running and count the attempt; or say why it must not run.

    Two statements and no lock: the update only moves an unfinished row, and the finish is guarded
    the same way, so two deliveries of one message can never both write a result."""
    check_in = CheckIn.objects.select_related("owner").filter(pk=check_in_id).first()
    if check_in is None or check_in.is_finished:
        return None, ""
    if not check_in.owner.has_current_consent:
        return None, CONSENT_GONE
    if max_attempts is not None and check_in.attempts >= max_attempts:
        return None, TOO_MANY_ATTEMPTS.format(attempts=check_in.attempts)
    check_in.status, check_in.started_at = CheckIn.Status.RUNNING, timezone.now()
    started = _unfinished(check_in_id).update(
        status=check_in.status, started_at=check_in.started_at, attempts=F("attempts") + 1
    )
    return (check_in, "") if started else (None, "")


def _unfinished(check_in_id: int):
    return CheckIn.objects.filter(pk=check_in_id).exclude(status__in=FINISHED_STATUSES)


def _frames_keep(check_in: CheckIn, kept: Sequence[bytes]) -> list[CheckInFrame]:
    """The owner keeps images: each clean JPEG (upright, no EXIF/GPS; analysis.faces_read made them
    from the analysis's decode) as a frame in private storage."""
    from ml import imageio

    frames = []
    for index, clean in enumerate(kept):
        width, height = imageio.inspect_image(clean)
        frame = CheckInFrame(check_in=check_in, index=index, width=width, height=height)
        frame.image.save("frame.jpg", ContentFile(clean), save=False)
        frames.append(frame)
    return frames


def check_in_analyze(check_in_id: int, *, max_attempts: int | None = None) -> CheckIn | None:
    """Run face and emotion recognition on a queued check-in and store the result.

    Idempotent: a finished check-in is left alone, and the result is written only while the row is
    unfinished, so a re-delivered task cannot duplicate it. Started `max_attempts` times
    already (a dying worker re-queues it), or its owner withdrew consent: it fails instead.
    """
    check_in, refusal = _check_in_start(check_in_id, max_attempts)
    if refusal:
        return check_in_fail(check_in_id, refusal, release_images=True)
    if check_in is None:
        return CheckIn.objects.filter(pk=check_in_id).first()

    # The images stay in the store until the result commits: a worker killed before then leaves
    # them for the re-delivered message.
    images = store.images_get(check_in.image_keys)
    if images is None:
        return check_in_fail(check_in_id, IMAGE_GONE)
    if not settings.EMOTION_MODEL_PATH.exists():
        return check_in_fail(check_in_id, MODEL_MISSING)
    read, problem = analysis.faces_read(check_in, images, keep=check_in.owner.keeps_images)
    if problem:
        return check_in_fail(check_in_id, problem)
    kept = _frames_keep(check_in, read.kept)
    keys = check_in.image_keys
    try:
        if not check_in_result_save(check_in, read, kept):
            files.files_delete([frame.image.name for frame in kept])
            return CheckIn.objects.filter(pk=check_in_id).first()
    except BaseException:
        files.files_delete([frame.image.name for frame in kept])  # files are not transactional
        raise
    # After the commit: the result is announced, then the images the worker no longer needs go.
    transaction.on_commit(lambda: (notify.finished_announce(check_in_id), store.images_delete(keys)))
    return check_in


def check_in_result_save(check_in: CheckIn, read: analysis.FacesRead, kept: Sequence[CheckInFrame] = ()) -> bool:
    """Finish an unfinished check-in with its reading: the one writer of a result, whether the worker
    read the images or the user's device did (detection.ondevice). With words, the check-in's mood is
    the fusion of the face's reading and theirs. False when another delivery finished it first."""
    mood = words.with_face(check_in.readings, read.emotions, read.top, read.confidence)
    analysed = read.analyses[read.you[0]]
    now = timezone.now()
    result = {
        "image_width": analysed.width,
        "image_height": analysed.height,
        "emotions": fusion.distribution_clean(mood["emotions"]),
        "top_emotion": mood["top_emotion"],
        "confidence": _unit(mood["confidence"]),
        "readings": mood["readings"],
        "status": CheckIn.Status.DONE,
        "error": "",
        "finished_at": now,
        "image_keys": [],
        "image_expires_at": now + timedelta(days=settings.KEEP_IMAGES_DAYS) if kept else None,
    }
    return _result_write(check_in, read, kept, result)


def _result_write(check_in: CheckIn, read: analysis.FacesRead, kept: Sequence[CheckInFrame], result: dict) -> bool:
    """The result in one transaction: faces and frames inserted, then the row moved to done only if
    it is still unfinished; the song list joins it (a single statement on PostgreSQL). False when
    another delivery finished it first (this one is rolled back)."""
    try:
        with transaction.atomic():
            rows = FaceResult.objects.bulk_create(
                FaceResult(
                    check_in=check_in,
                    frame_index=index,
                    x=max(0, int(face.box[0])),
                    y=max(0, int(face.box[1])),
                    width=int(face.box[2]),
                    height=int(face.box[3]),
                    probabilities=fusion.distribution_clean(face.probabilities),
                    top_emotion=face.top_emotion,
                    confidence=_unit(face.confidence),
                )
                for index, face in read.faces
            )
            CheckInFrame.objects.bulk_create(kept)
            result["selected_face"] = rows[read.faces.index(read.you)]
            if not _unfinished(check_in.pk).update(**result):
                raise _AlreadyFinished
            for name, value in result.items():
                setattr(check_in, name, value)
            _recommend(check_in)
    except _AlreadyFinished:
        return False
    return True


class _AlreadyFinished(Exception):
    """Another delivery of the same message finished the check-in first: roll this result back."""


def check_in_correct(*, check_in: CheckIn, emotion: str) -> CheckIn:
    """Store the user's own reading of the mood; history and songs follow it."""
    _emotion_validate(emotion)
    if check_in.status != CheckIn.Status.DONE:
        raise ValidationError("Only a finished analysis can be corrected.", code="invalid")
    with transaction.atomic():
        check_in.corrected_emotion = emotion
        check_in.save(update_fields=["corrected_emotion"])
        _recommend(check_in)
    return check_in


def check_in_face_select(*, check_in: CheckIn, face_id: int) -> CheckIn:
    """The user says which detected face is theirs; the mood follows that face."""
    if check_in.status != CheckIn.Status.DONE:
        raise ValidationError("Faces can be chosen once the analysis is done.", code="invalid")
    face = check_in.faces.filter(pk=face_id).first()
    if face is None:
        raise ValidationError("That face is not part of this check-in.", code="invalid")
    mood = words.with_face(check_in.readings, face.probabilities, face.top_emotion, face.confidence)
    with transaction.atomic():
        check_in.selected_face = face
        for name, value in mood.items():
            setattr(check_in, name, value)
        check_in.save(update_fields=["selected_face", *mood])
        _recommend(check_in)
    return check_in


def check_in_delete(*, check_in: CheckIn) -> None:
    check_ins_delete(user=check_in.owner, check_in_ids=[check_in.pk])


def check_ins_delete(*, user, check_in_ids) -> int:
    """Delete these check-ins of the user (ids: a list or a subquery), their song lists (see
    CheckInQuerySet.delete) and, after the commit, their stored images. Returns how many went."""
    check_ins = CheckIn.objects.filter(owner=user, pk__in=check_in_ids)
    with transaction.atomic():
        names = list(CheckInFrame.objects.filter(check_in__in=check_ins).values_list("image", flat=True))
        keys = [key for row in check_ins.exclude(image_keys=[]).values_list("image_keys", flat=True) for key in row]
        _, per_model = check_ins.delete()
        transaction.on_commit(lambda: (files.files_delete(names), store.images_delete(keys)))
    return per_model.get(CheckIn._meta.label, 0)


def check_ins_stale_fail(*, now: datetime | None = None) -> int:
    """Fail check-ins queued or running for longer than ANALYSIS_STALE_AFTER, and release
    their images: a lost message or a killed worker must not keep a face image for ever."""
    cutoff = (now or timezone.now()) - settings.ANALYSIS_STALE_AFTER
    unfinished = CheckIn.objects.filter(status__in=(CheckIn.Status.QUEUED, CheckIn.Status.RUNNING))
    stale = list(unfinished.filter(created_at__lt=cutoff).values_list("pk", flat=True))
    failed = [check_in_fail(check_in_id, STALE, release_images=True) for check_in_id in stale]
    return sum(1 for check_in in failed if check_in is not None and check_in.error == STALE)


def check_ins_delete_all(*, user) -> int:
    """Delete every check-in of the user, their stored images (after commit) and the song lists made
    for them (CheckInQuerySet.delete). Returns how many check-ins went."""
    with transaction.atomic():
        files.user_files_delete(user)
        _, per_model = CheckIn.objects.filter(owner=user).delete()
    return per_model.get(CheckIn._meta.label, 0)
