"""Curating the catalogue in the Django admin: songs, tags, genres, import and export."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.template.response import TemplateResponse

from music.catalog.admin_filters import (
    EmotionTagFilter,
    EraFilter,
    GenreFilter,
    PlayableFilter,
    ReviewFilter,
    UntaggedFilter,
    genre_label,
)
from music.catalog.admin_pages import CurationPagesMixin
from music.catalog.csv_format import parse_duration
from music.catalog.enrichment import ENRICH_MAX_SONGS
from music.catalog.forms import TagForm
from music.catalog.models import AUDIO_FEATURES, Genre, Song
from music.catalog.providers import PROVIDER_FIELDS, PROVIDERS, normalize_provider_id
from music.catalog.services import (
    mark_curated,
    songs_set_active,
    songs_tag_add,
    songs_tag_remove,
    songs_tags_approve,
)
from music.catalog.tasks import songs_enrich_task
from music.emotions import EMOTIONS


def _provider_field(name: str) -> forms.CharField:
    # Longer than an id: a pasted track link is accepted too, and stored as its id.
    provider = PROVIDERS[name]
    return forms.CharField(
        required=False, max_length=300, label=f"{provider.label} id", help_text=f"{provider.shape}, or a track link."
    )


class _SongAdminFormBase(forms.ModelForm):
    duration = forms.CharField(
        required=False, max_length=8, help_text="Seconds (215) or minutes and seconds (3:35), as in a CSV file."
    )
    preview_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    artwork_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    youtube_id = _provider_field("youtube")
    spotify_id = _provider_field("spotify")
    apple_music_id = _provider_field("apple_music")
    deezer_id = _provider_field("deezer")

    class Meta:
        model = Song
        fields = ["title", "artist", "album", "year", "genre", "language", "duration", "preview_url", "active"]
        fields += ["va_manual", "valence", "arousal", "artwork_url", *PROVIDER_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "genre" in self.fields:
            self.fields["genre"].label_from_instance = genre_label
        for name, weight in (self.instance.emotions or {}).items():
            self.fields[f"w_{name}"].initial = weight
        if self.instance.duration:
            self.initial["duration"] = f"{self.instance.duration // 60}:{self.instance.duration % 60:02d}"

    def clean_duration(self):
        try:
            return parse_duration(self.cleaned_data["duration"].strip())
        except ValueError as exc:
            raise forms.ValidationError(str(exc).capitalize() + ".") from None

    def clean(self):
        data = super().clean()
        for name, provider in PROVIDERS.items():
            if provider.field in data:
                try:
                    data[provider.field] = normalize_provider_id(name, data[provider.field])
                except ValueError as exc:
                    self.add_error(provider.field, str(exc))
        tags = {n: round(data[f"w_{n}"], 3) for n in EMOTIONS if data.get(f"w_{n}")}
        if tags != (self.instance.emotions or {}):  # a person adjusted the tags: they are curated now
            mark_curated(self.instance)
        self.instance.emotions = tags
        return data


# The song with one weight field per emotion, so tags are edited inline on the song's page. The
# fields are declared on the class (not added in __init__) because the admin checks fieldsets
# against the form class.
SongAdminForm = type(
    "SongAdminForm",
    (_SongAdminFormBase,),
    {
        f"w_{name}": forms.FloatField(
            label=f"{name} weight",
            required=False,
            min_value=0,
            max_value=1,
            help_text="0–1: how well the song suits this mood; empty = not tagged.",
        )  # fmt: skip
        for name in EMOTIONS
    },
)


@admin.register(Song)
class SongAdmin(CurationPagesMixin, admin.ModelAdmin):
    form = SongAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_list_template = "admin/music/song/change_list.html"
    # Fits a 1280 px screen: tags shortened, the tag source with its confidence in one column.
    list_display = ["title", "artist", "genre", "year", "tags", "tagged_by", "playable", "active"]
    list_editable = ["active"]
    # The curation filters first; the long genre list last.
    list_filter = [
        ReviewFilter, "tag_source", EmotionTagFilter, "quadrant", EraFilter, PlayableFilter, "active", UntaggedFilter,
        "enrichment", GenreFilter,
    ]  # fmt: skip
    list_select_related = ["genre"]
    # Served by trigram indexes on PostgreSQL (migration 0008): "contains" at 100k songs.
    search_fields = ["title", "artist"]
    list_per_page = 50
    show_full_result_count = False  # one count query, not two, on a filtered list
    readonly_fields = [
        "quadrant_shown", "tag_source", "tag_confidence", "tags_reviewed", "enrichment", "enriched_at", "created_at",
        "updated_at", *AUDIO_FEATURES, "popularity",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["title", "artist", "album", "year", "genre", "language", "duration", "active"]}),
        (
            "Listening",
            {"fields": ["preview_url", "artwork_url", *PROVIDER_FIELDS, "enrichment", "enriched_at"]},
        ),
        (
            "Emotion tags",
            {
                "fields": ["tag_source", "tag_confidence", "tags_reviewed", *(f"w_{name}" for name in EMOTIONS)],
                "description": "Changing a weight makes the tags curated (yours) and takes the song out of the "
                "review queue.",
            },
        ),
        ("Valence / arousal", {"fields": ["va_manual", "valence", "arousal", "quadrant_shown"]}),
        ("Audio features", {"fields": [*AUDIO_FEATURES, "popularity"], "classes": ["collapse"]}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["approve_tags", "activate", "deactivate", "add_tag", "remove_tag", "enrich"]

    @admin.display(description="quadrant")
    def quadrant_shown(self, song):
        # An unsaved song has no point yet: show none rather than the field's default.
        return song.get_quadrant_display() if song.pk else "—"

    @admin.display(description="tagged by", ordering="tag_source")
    def tagged_by(self, song):
        if not song.tag_source:
            return "—"
        label = {"curated": "person", "audio": "audio", "lyrics": "lyrics", "enrichment": "enrichment"}[song.tag_source]
        if song.needs_review:
            return f"{label} ({song.tag_confidence:.0%}, to review)" if song.tag_confidence is not None else label
        return label

    @admin.action(description="Approve the machine tags of selected songs", permissions=["change"])
    def approve_tags(self, request, queryset):
        self.message_user(request, f"Approved the tags of {songs_tags_approve(songs=queryset)} song(s).")

    @admin.display(description="playable")
    def playable(self, song):
        sources = (["preview"] if song.preview_url else []) + [PROVIDERS[n].label for n in song.provider_ids]
        return ", ".join(sources) or "—"

    @admin.action(description="Look up previews and artwork on iTunes", permissions=["change"])
    def enrich(self, request, queryset):
        ids = list(queryset.order_by("id").values_list("pk", flat=True)[: ENRICH_MAX_SONGS + 1])
        if len(ids) > ENRICH_MAX_SONGS:
            self.message_user(
                request,
                f"Select at most {ENRICH_MAX_SONGS} songs; for the whole catalogue run manage.py enrich_catalog.",
                messages.ERROR,
            )
            return
        transaction.on_commit(lambda: songs_enrich_task.delay(ids, True))
        self.message_user(
            request,
            f"Looking up {len(ids)} song(s) on iTunes (about 20 a minute); the enrichment column shows the outcome.",
        )

    @admin.display(description="tags")
    def tags(self, song):
        top = song.top_emotions[:2]
        return ", ".join(f"{name} {weight:g}" for name, weight in top) + (" …" if len(song.emotions) > 2 else "") or "—"

    @admin.action(description="Activate selected songs", permissions=["change"])
    def activate(self, request, queryset):
        self.message_user(request, f"Activated {songs_set_active(songs=queryset, active=True)} song(s).")

    @admin.action(description="Deactivate selected songs", permissions=["change"])
    def deactivate(self, request, queryset):
        self.message_user(request, f"Deactivated {songs_set_active(songs=queryset, active=False)} song(s).")

    @admin.action(description="Add an emotion tag to selected songs", permissions=["change"])
    def add_tag(self, request, queryset):
        return self._tag_action(request, queryset, add=True)

    @admin.action(description="Remove an emotion tag from selected songs", permissions=["change"])
    def remove_tag(self, request, queryset):
        return self._tag_action(request, queryset, add=False)

    def _tag_action(self, request, queryset, *, add: bool):
        # Django's intermediate-page pattern: the first POST shows the form, the second applies it.
        form = TagForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                if add:
                    count = songs_tag_add(
                        songs=queryset, emotion=form.cleaned_data["emotion"], weight=form.cleaned_data["weight"] or 1.0
                    )
                else:
                    count = songs_tag_remove(songs=queryset, emotion=form.cleaned_data["emotion"])
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return None
            verb = "Tagged" if add else "Removed the tag from"
            self.message_user(request, f"{verb} {count} song(s) with {form.cleaned_data['emotion']}.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Add an emotion tag" if add else "Remove an emotion tag",
            "form": form,
            "songs": queryset,
            "action": request.POST.get("action"),
            "add": add,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/music/song/tag_action.html", context)


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    """The controlled genre vocabulary. A genre that songs or sub-genres use cannot be deleted
    (move them first); renaming or moving a genre updates the paths below it."""

    list_display = ["name", "parent", "path", "song_count"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    fields = ["name", "parent", "path", "created_at", "updated_at"]
    readonly_fields = ["path", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent").annotate(song_count=Count("songs"))

    @admin.display(description="songs", ordering="song_count")
    def song_count(self, genre):
        return genre.song_count

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            field.label_from_instance = genre_label
        return field
