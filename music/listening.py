"""Where a song can be heard, and what the player saw: the listening writes of the music app.

`song_sources_update()` sets a song's preview, artwork and provider ids (curators, via the API);
`listening_event_create()` stores the player's implicit feedback (static/js/player.js).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from music.models import Feedback, FeedbackKind, Playlist, Recommendation, Song
from music.providers import PROVIDER_FIELDS

SOURCE_FIELDS = ("preview_url", "artwork_url", *PROVIDER_FIELDS)


def song_sources_update(*, song: Song, **values) -> Song:
    """Set where a song can be heard: preview, artwork and provider ids (bare, see music.providers)."""
    unknown = set(values) - set(SOURCE_FIELDS)
    if unknown:
        raise ValidationError(f"Not a source field: {', '.join(sorted(unknown))}.")
    for name, value in values.items():
        setattr(song, name, value)
    song.clean_fields(exclude=[f.name for f in Song._meta.fields if f.name not in values])
    song.save(update_fields=[*values, "updated_at"])
    return song


# The player's events (music/README.md, "Player"): played after 30 s or 80% of a preview, skipped
# when left within its first 10 s. A preview or a provider track is at most this long.
LISTENING_KINDS = (FeedbackKind.PLAYED, FeedbackKind.SKIPPED)
MAX_POSITION_SECONDS = 36000


def listening_event_create(
    *,
    user,
    song: Song,
    kind: str,
    position: float,
    recommendation: Recommendation | None = None,
    playlist: Playlist | None = None,
) -> tuple[Feedback, bool]:
    """Record what the player saw (played or skipped, at `position` seconds), once per song and list.

    The list is the recommendation or playlist the song was played from; without one, the day.
    A retry of the same event returns the stored one and `False`, so it never counts twice.
    Taste reads these events exactly as it reads the buttons' (same kinds, same table).
    """
    if kind not in LISTENING_KINDS:
        raise ValidationError(f"The player sends only {' or '.join(LISTENING_KINDS)} events, not {kind!r}.")
    if not 0 <= position <= MAX_POSITION_SECONDS:
        raise ValidationError(f"The position must be between 0 and {MAX_POSITION_SECONDS} seconds.")
    if recommendation is not None and playlist is not None:
        raise ValidationError("Name the recommendation or the playlist the song was played from, not both.")
    if recommendation is not None:
        if recommendation.user_id != user.pk:
            raise ValidationError("That recommendation belongs to someone else.")
        if not recommendation.items.filter(song=song).exists():
            raise ValidationError("That song is not in that recommendation.")
        where = f"r{recommendation.pk}"
    elif playlist is not None:
        if playlist.user_id != user.pk:
            raise ValidationError("That playlist belongs to someone else.")
        if not playlist.items.filter(song=song).exists():
            raise ValidationError("That song is not in that playlist.")
        where = f"p{playlist.pk}"
    else:
        where = f"d{timezone.localdate().isoformat()}"
    key = f"{kind}:{song.pk}:{where}"
    existing = Feedback.objects.filter(user=user, event_key=key).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                user=user, song=song, kind=kind, recommendation=recommendation, playlist=playlist,
                position=round(float(position), 2), event_key=key,
            )  # fmt: skip
    except IntegrityError:  # the same event arrived twice at once: the other request stored it
        return Feedback.objects.get(user=user, event_key=key), False
    return feedback, True
