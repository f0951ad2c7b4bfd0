"""Curating the catalogue in the Django admin: songs, tags, genres, import and export."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from music.catalog import selectors
from music.catalog.csv_format import songs_to_csv
from music.catalog.enrichment import ENRICH_MAX_SONGS
from music.catalog.forms import CatalogImportForm, TagForm
from music.catalog.importing import song_import
from music.catalog.models import GENRE_SEPARATOR, Genre, Song
from music.catalog.providers import PROVIDER_FIELDS, PROVIDERS, normalize_provider_id
from music.catalog.services import songs_set_active, songs_tag_add, songs_tag_remove
from music.catalog.tasks import songs_enrich_task
from music.emotions import EMOTIONS, format_tags
from symphony.middleware import body_limit

# Fewer active songs than this for an emotion and the coverage view warns: a list of 10 with one
# song per artist and no repeats from the last lists needs a few times that many to choose from.
THIN_COVERAGE = 30


def _provider_field(name: str) -> forms.CharField:
    # Longer than an id: a pasted track link is accepted too, and stored as its id.
    provider = PROVIDERS[name]
    return forms.CharField(
        required=False, max_length=300, label=f"{provider.label} id", help_text=f"{provider.shape}, or a track link."
    )


class _SongAdminFormBase(forms.ModelForm):
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

    def clean(self):
        data = super().clean()
        for name, provider in PROVIDERS.items():
            if provider.field in data:
                try:
                    data[provider.field] = normalize_provider_id(name, data[provider.field])
                except ValueError as exc:
                    self.add_error(provider.field, str(exc))
        self.instance.emotions = {n: round(data[f"w_{n}"], 3) for n in EMOTIONS if data.get(f"w_{n}")}
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


@admin.register(Song)
class SongAdmin(admin.ModelAdmin):
    form = SongAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_list_template = "admin/music/song/change_list.html"
    list_display = ["title", "artist", "genre", "year", "tags", "quadrant", "playable", "enrichment", "active"]
    list_editable = ["active"]
    list_filter = [
        EmotionTagFilter, "quadrant", GenreFilter, "language", "active", UntaggedFilter, PlayableFilter, "enrichment",
    ]  # fmt: skip
    list_select_related = ["genre"]
    search_fields = ["title", "artist"]
    list_per_page = 50
    readonly_fields = ["quadrant", "enrichment", "enriched_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "artist", "album", "year", "genre", "language", "duration", "active"]}),
        (
            "Listening",
            {"fields": ["preview_url", "artwork_url", *PROVIDER_FIELDS, "enrichment", "enriched_at"]},
        ),
        ("Emotion tags", {"fields": [f"w_{name}" for name in EMOTIONS]}),
        ("Valence / arousal", {"fields": ["va_manual", "valence", "arousal", "quadrant"]}),
        ("Dates", {"fields": ["created_at", "updated_at"]}),
    ]
    actions = ["activate", "deactivate", "add_tag", "remove_tag", "enrich"]

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
        return format_tags(song.emotions).replace(";", ", ") or "—"

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

    def get_urls(self):
        urls = [
            path("import/", self.admin_site.admin_view(self.import_view), name="music_song_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="music_song_export"),
            path("coverage/", self.admin_site.admin_view(self.coverage_view), name="music_song_coverage"),
        ]
        return urls + super().get_urls()

    @body_limit("import")
    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CatalogImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = song_import(data=form.cleaned_data["file"].read(), dry_run=form.cleaned_data["dry_run"])
            if report.ok and not report.dry_run:
                self.message_user(request, report.summary())
                return redirect("admin:music_song_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import songs from CSV",
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return render(request, "admin/music/song/import.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        songs = Song.objects.select_related("genre").order_by("id")
        songs = self.get_search_results(request, songs, request.GET.get("q", ""))[0]
        response = StreamingHttpResponse(songs_to_csv(songs.iterator(chunk_size=2000)), content_type="text/csv")
        filename = f"songs-{timezone.now():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def coverage_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = selectors.coverage()
        for row in rows:
            row["thin"] = row["songs"] < THIN_COVERAGE
            row["url"] = reverse("admin:music_song_changelist") + f"?tag={row['emotion']}&active__exact=1"
        context = {
            **self.admin_site.each_context(request),
            "title": "Catalog coverage per emotion",
            "rows": rows,
            "threshold": THIN_COVERAGE,
            "total": Song.objects.filter(active=True).count(),
            "opts": self.model._meta,
        }
        return render(request, "admin/music/song/coverage.html", context)


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
