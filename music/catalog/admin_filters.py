"""The song list's filters in the admin. Each one is served by an index or needs no query to list
its choices, so the list stays fast at 100,000 songs."""

from django.contrib import admin
from django.db import models
from django.db.models import Q

from music.catalog.models import GENRE_SEPARATOR, MACHINE_TAG_SOURCES, Genre
from music.emotions import EMOTIONS


def genre_label(genre: Genre) -> str:
    return genre.path.replace(GENRE_SEPARATOR, " › ")


class GenreFilter(admin.SimpleListFilter):
    """A genre and everything under it: "rock" lists metal and punk songs too."""

    title = "genre"
    parameter_name = "genre"

    def lookups(self, request, model_admin):
        return [(genre.name, genre_label(genre)) for genre in Genre.objects.all()]

    def queryset(self, request, queryset):
        genre = Genre.objects.filter(name=self.value()).first() if self.value() else None
        if genre is None:
            return queryset
        return queryset.filter(Q(genre__path=genre.path) | Q(genre__path__startswith=genre.path + GENRE_SEPARATOR))


class EmotionTagFilter(admin.SimpleListFilter):
    title = "emotion tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [(name, name) for name in EMOTIONS]

    def queryset(self, request, queryset):
        if self.value() in EMOTIONS:
            return queryset.filter(emotions__has_key=self.value())
        return queryset


class UntaggedFilter(admin.SimpleListFilter):
    title = "tagging"
    parameter_name = "untagged"

    def lookups(self, request, model_admin):
        return [("yes", "Untagged"), ("no", "Tagged")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(emotions={})
        if self.value() == "no":
            return queryset.exclude(emotions={})
        return queryset


class PlayableFilter(admin.SimpleListFilter):
    title = "playable in the page"
    parameter_name = "playable"

    def lookups(self, request, model_admin):
        return [("preview", "Has a preview"), ("embed", "YouTube or Spotify id only"), ("none", "Search links only")]

    def queryset(self, request, queryset):
        embed = ~models.Q(youtube_id="") | ~models.Q(spotify_id="")
        if self.value() == "preview":
            return queryset.exclude(preview_url="")
        if self.value() == "embed":
            return queryset.filter(embed, preview_url="")
        if self.value() == "none":
            return queryset.filter(preview_url="", youtube_id="", spotify_id="")
        return queryset


class EraFilter(admin.SimpleListFilter):
    title = "era"
    parameter_name = "era"
    DECADES = range(1950, 2030, 10)

    def lookups(self, request, model_admin):
        return [(str(decade), f"{decade}s") for decade in reversed(self.DECADES)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(year__gte=int(self.value()), year__lt=int(self.value()) + 10)
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    title = "tag review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("waiting", "Machine tags waiting for review"), ("reviewed", "Machine tags approved")]

    def queryset(self, request, queryset):
        machine = queryset.filter(tag_source__in=MACHINE_TAG_SOURCES)
        if self.value() == "waiting":
            return machine.filter(tags_reviewed=False).order_by("tag_confidence", "id")
        if self.value() == "reviewed":
            return machine.filter(tags_reviewed=True)
        return queryset
