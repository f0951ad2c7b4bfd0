"""Reads of check-ins, always scoped to their owner."""

import time

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects

from music.library import selectors as music_selectors

from . import notify
from .models import FINISHED_STATUSES, CheckIn, CheckInFrame, CheckInRecommendation, FaceResult


def check_in_list(*, user) -> QuerySet[CheckIn]:
    """The user's own check-ins, newest first."""
    return CheckIn.objects.filter(owner=user).prefetch_related(_faces(), "frames")


def check_ins_finished(*, user) -> QuerySet[CheckIn]:
    """The user's analysed check-ins (done), each annotated with its mood as `effective`."""
    return CheckIn.objects.filter(owner=user, status=CheckIn.Status.DONE).with_effective_emotion()


def check_in_get(*, user, check_in_id, wait: float = 0) -> CheckIn | None:
    """One of the user's check-ins, or None: another user's is indistinguishable from a missing one.
    With `wait`, held on its status row until it is finished, at most `wait` seconds (long polling,
    check_in_status), and read whole once: at the wake-up that announced its finish, or at the end."""
    if not user.is_authenticated:
        return None
    mine = CheckIn.objects.filter(owner=user, pk=check_in_id)

    def whole() -> CheckIn | None:
        return _frames_attach(
            mine.annotate(framed=Exists(CheckInFrame.objects.filter(check_in=OuterRef("pk"))))
            .prefetch_related(_faces())
            .first()
        )

    if not wait:
        return whole()
    found = _status_wait(mine.values("id", "status").first, int(check_in_id), wait, whole=whole)
    return found if found is None or isinstance(found, CheckIn) else whole()


def _faces() -> Prefetch:
    return Prefetch("faces", queryset=FaceResult.objects.order_by("frame_index", "id"))


def _frames_attach(check_in: CheckIn | None) -> CheckIn | None:
    """Its kept frames, read only when it has some (`framed`, read with the row): most keep none."""
    if check_in is None:
        return None
    if check_in.framed:
        prefetch_related_objects([check_in], "frames")
    else:
        check_in._prefetched_objects_cache["frames"] = CheckInFrame.objects.none()
    return check_in


MAX_WAIT_S = 20.0


def _status_wait(first, check_in_id: int, timeout: float, whole=None):
    """first() (an {id, status} row), re-read until finished, at most `timeout` seconds (MAX_WAIT_S).

    Registers for the worker's announcement (detection.notify) before its first read, so the
    read that starts the wait is also the one that could see the finish: one small query per
    wake-up, nothing in between. With `whole`, a wake-up by the announcement reads whole() instead
    (the check-in is almost surely finished, so its status would be read for nothing) and returns
    it once finished."""
    deadline = time.monotonic() + min(timeout, MAX_WAIT_S)
    with notify.listening(check_in_id) as pause:
        read = first
        while True:
            found = read()
            left = deadline - time.monotonic()
            status = found.status if isinstance(found, CheckIn) else found and found["status"]
            if found is None or status in FINISHED_STATUSES or left <= 0:
                return found
            read = whole if pause(left) and whole is not None else first


def check_in_wait_finished(*, check_in_id: int, timeout: float) -> bool:
    """Block until the check-in is done or failed, at most `timeout` seconds; True if it is."""
    found = _status_wait(CheckIn.objects.filter(pk=check_in_id).values("id", "status").first, check_in_id, timeout)
    return found is not None and found["status"] in FINISHED_STATUSES


def check_in_status(*, user, check_in_id, wait: float = 0) -> dict | None:
    """Just the id and status of one of the user's check-ins (one small query), or None. With
    `wait`, held until it is finished, at most `wait` seconds (long polling)."""
    if not user.is_authenticated:
        return None
    rows = CheckIn.objects.filter(owner=user, pk=check_in_id).values("id", "status")
    return _status_wait(rows.first, int(check_in_id), wait) if wait else rows.first()


def check_in_created(*, user, check_in: CheckIn, wait: float = 0) -> CheckIn:
    """A check-in just created, ready to show. Read back only when its analysis may already have run
    in this process (eager tasks) or it is finished (picked by hand, with songs); a queued one has
    no faces or kept images yet, so there is nothing to read. With `wait`, an unfinished one is
    held until it is finished, at most `wait` seconds, and then read (one request, not two)."""
    if wait and not check_in.is_finished:
        return check_in_get(user=user, check_in_id=check_in.pk, wait=wait)
    if settings.CELERY_TASK_ALWAYS_EAGER or check_in.is_finished:
        return check_in_get(user=user, check_in_id=check_in.pk)
    check_in._prefetched_objects_cache = {"faces": FaceResult.objects.none(), "frames": CheckInFrame.objects.none()}
    return check_in


def check_in_lists(*, user, check_in_ids=None, since=None, with_songs: bool = False) -> dict:
    """{check-in id: its latest song list} (a correction makes a new list; the latest counts), for some
    check-ins or for lists made `since`. One query; `with_songs` adds one for the items and songs.
    Without it only each list's id, goal and created_at are loaded. Each list's `check_in_id` is set,
    as music's serializers show it."""
    found = CheckInRecommendation.objects.filter(recommendation__user=user).select_related("recommendation")
    if check_in_ids is not None:
        found = found.filter(check_in_id__in=list(check_in_ids))
    if since is not None:
        found = found.filter(recommendation__created_at__gte=since)
    if not with_songs:
        found = found.only(
            "check_in_id", "recommendation__user_id", "recommendation__goal", "recommendation__created_at"
        )
    lists = {}
    for link in found.order_by("recommendation__created_at", "recommendation_id"):
        link.recommendation.check_in_id = link.check_in_id
        lists[link.check_in_id] = link.recommendation  # oldest first: later lists replace earlier ones
    if with_songs:
        prefetch_related_objects(list(lists.values()), music_selectors.items_with_songs())
    return lists


def check_in_goals(*, user, since=None) -> dict[int, str]:
    """{check-in id: the goal of its latest list}, as plain rows (a long history has thousands)."""
    found = CheckInRecommendation.objects.filter(recommendation__user=user)
    if since is not None:
        found = found.filter(recommendation__created_at__gte=since)
    rows = found.order_by("recommendation__created_at", "recommendation_id")
    return dict(rows.values_list("check_in_id", "recommendation__goal"))  # later lists replace earlier ones


def check_in_list_ids(*, check_in_ids) -> QuerySet:
    """The ids of every list made for these check-ins, as a subquery (for music's selectors and services)."""
    return CheckInRecommendation.objects.filter(check_in_id__in=check_in_ids).values("recommendation_id")


def list_check_in_id() -> Subquery:
    """The id of the check-in a list (OuterRef("pk")) was made for, or NULL (music.library.links)."""
    return Subquery(CheckInRecommendation.objects.filter(recommendation=OuterRef("pk")).values("check_in_id"))


def check_in_recommendations(*, user, check_ins) -> dict:
    """{check-in id: its latest song list with songs}, for any number of check-ins in two queries."""
    return check_in_lists(user=user, check_in_ids=[c.pk for c in check_ins], with_songs=True)


def check_in_recommendation(check_in: CheckIn):
    """The latest song list made for this check-in, with its songs, or None."""
    return check_in_recommendations(user=check_in.owner_id, check_ins=[check_in]).get(check_in.pk)


def check_in_export(*, user) -> list[dict]:
    """Data rights: every check-in and face result of the user, without image bytes."""
    return [
        {
            "id": s.pk,
            "kind": s.kind,
            "analysed_on": s.analysed_on,
            "status": s.status,
            "error": s.error,
            "created_at": s.created_at.isoformat(),
            "finished_at": s.finished_at.isoformat() if s.finished_at else None,
            "emotions": s.emotions,
            "top_emotion": s.top_emotion or None,
            "confidence": s.confidence,
            "corrected_emotion": s.corrected_emotion or None,
            "text": s.text or None,
            "readings": s.readings,
            "stored_images": s.frames.count(),
            "image_expires_at": s.image_expires_at.isoformat() if s.image_expires_at else None,
            "faces": [
                {"frame": f.frame_index, "box": f.box, "emotions": f.probabilities, "top_emotion": f.top_emotion}
                for f in s.faces.all()
            ],
        }
        for s in check_in_list(user=user)
    ]
