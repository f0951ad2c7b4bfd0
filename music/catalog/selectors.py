"""Reads of the catalogue: the genre vocabulary, song search and the curators' coverage view."""

from django.db.models import Count, Q, QuerySet

from music.catalog.models import GENRE_SEPARATOR, MACHINE_TAG_SOURCES, Genre, Song, emotion_weight, genre_key
from music.emotions import EMOTIONS


def genre_list() -> QuerySet[Genre]:
    return Genre.objects.select_related("parent")


def genre_subtree(name: str) -> QuerySet[Genre]:
    """A genre and every genre under it ("rock": rock, metal, punk, …); empty for an unknown name."""
    genre = Genre.objects.filter(key=genre_key(name)).first()
    if genre is None:
        return Genre.objects.none()
    return Genre.objects.filter(Q(path=genre.path) | Q(path__startswith=genre.path + GENRE_SEPARATOR))


# What the song list's `source` filter asks: where in the page the song can be played.
SOURCE_FILTERS = {
    "spotify": ~Q(spotify_id=""),
    "youtube": ~Q(youtube_id=""),
    "preview": ~Q(preview_url=""),
    "links": Q(spotify_id="", youtube_id="", preview_url=""),
}


def song_list(
    *,
    q: str = "",
    emotion: str = "",
    genre: str = "",
    era: int | None = None,
    source: str = "",
    tag_source: str = "",
    active_only: bool = True,
) -> QuerySet[Song]:
    """Songs by words of the title or artist (trigram-indexed on PostgreSQL), genre with its
    sub-genres, decade, playable source and where the tags came from; best-tagged first for an emotion."""
    songs = Song.objects.select_related("genre")
    if active_only:
        songs = songs.filter(active=True)
    for word in q.split()[:8]:
        songs = songs.filter(Q(title__icontains=word) | Q(artist__icontains=word))
    if genre:
        songs = songs.filter(genre__in=genre_subtree(genre))
    if era is not None:
        songs = songs.filter(year__gte=era, year__lt=era + 10)
    if source:
        songs = songs.filter(SOURCE_FILTERS[source])
    if tag_source:
        songs = songs.filter(tag_source=tag_source)
    if emotion:
        songs = songs.annotate(weight=emotion_weight(emotion)).filter(weight__gt=0).order_by("-weight", "id")
    return songs


def coverage() -> list[dict]:
    """Active songs per emotion (weight at least 0.5), for the admin's coverage view."""
    songs = Song.objects.filter(active=True).annotate(**{f"w_{n}": emotion_weight(n) for n in EMOTIONS})
    counts = songs.aggregate(**{n: Count("id", filter=Q(**{f"w_{n}__gte": 0.5})) for n in EMOTIONS})
    return [{"emotion": name, "songs": counts[name]} for name in EMOTIONS]


def coverage_by_family() -> tuple[list[str], list[dict]]:
    """Active songs per emotion (weight at least 0.5) and genre family, for the admin's coverage
    view: (families, [{emotion, counts: [per family], total}]). One query, grouped by genre."""
    counted = {f"n_{name}": Count("id", filter=Q(**{f"w_{name}__gte": 0.5})) for name in EMOTIONS}
    rows = (
        Song.objects.filter(active=True)
        .annotate(**{f"w_{n}": emotion_weight(n) for n in EMOTIONS})
        .values("genre__path")
        .annotate(**counted)
        .order_by()
    )
    per_family: dict[str, dict[str, int]] = {}
    for row in rows:
        family = (row["genre__path"] or "").split(GENRE_SEPARATOR, 1)[0] or "(no genre)"
        bucket = per_family.setdefault(family, dict.fromkeys(EMOTIONS, 0))
        for name in EMOTIONS:
            bucket[name] += row[f"n_{name}"]
    families = sorted(per_family, key=lambda f: (f == "(no genre)", f))
    table = [
        {"emotion": name, "counts": [per_family[f][name] for f in families],
         "total": sum(per_family[f][name] for f in families)}
        for name in EMOTIONS
    ]  # fmt: skip
    return families, table


def review_queue() -> QuerySet[Song]:
    """Machine-tagged songs no curator has reviewed, least confident first (an index serves it)."""
    return (
        Song.objects.filter(tag_source__in=MACHINE_TAG_SOURCES, tags_reviewed=False)
        .select_related("genre")
        .order_by("tag_confidence", "id")
    )
