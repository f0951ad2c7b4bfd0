"""The catalogue's API: songs (search, detail, curators' sources and enrichment) and genres."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from music.catalog import selectors
from music.catalog.enrichment import ENRICH_MAX_SONGS
from music.catalog.models import Genre, Song, TagSource
from music.catalog.providers import PROVIDERS, normalize_provider_id
from music.catalog.services import song_sources_update
from music.catalog.tasks import songs_enrich_task
from music.emotions import EMOTIONS
from symphony.api import ObjectIdField, StrictInputSerializer, validated_query
from symphony.pagination import paginated


class SongOutputSerializer(serializers.ModelSerializer):
    links = serializers.DictField(
        child=serializers.URLField(),
        read_only=True,
        help_text="youtube and spotify (the track when its id is known, else a search), apple_music and deezer "
        "when known, preview when there is one.",
    )
    providers = serializers.DictField(
        source="provider_ids", child=serializers.CharField(), read_only=True, help_text="Known provider track ids."
    )
    embeds = serializers.DictField(
        child=serializers.URLField(), read_only=True, help_text="Embeddable players (YouTube without cookies, Spotify)."
    )
    genre = serializers.CharField(source="genre.name", allow_null=True, read_only=True)
    genres = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The genre and its parents, broadest first."
    )
    era = serializers.IntegerField(allow_null=True, read_only=True, help_text="The decade: 1980 for 1987.")
    energy = serializers.FloatField(read_only=True, help_text="-1 (calm) .. 1 (energetic); the arousal axis.")

    class Meta:
        model = Song
        fields = [
            "id", "title", "artist", "album", "year", "era", "genre", "genres", "language", "duration", "emotions",
            "valence", "arousal", "energy", "quadrant", "tag_source", "tag_confidence", "popularity", "preview_url",
            "artwork_url", "providers", "links", "embeds",
        ]  # fmt: skip


class GenreOutputSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.name", allow_null=True, read_only=True)

    class Meta:
        model = Genre
        fields = ["id", "name", "parent", "path"]


class CanChangeSongs(permissions.BasePermission):
    """Catalogue curators: the same permission the admin asks for to edit a song."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("music.change_song"))


@extend_schema_field({"type": "integer", "minimum": 1000, "maximum": 2100, "multipleOf": 10})
class DecadeField(serializers.IntegerField):
    """A decade by its first year (1980); the schema states all three rules, so clients can too."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1000, max_value=2100, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value % 10:
            raise serializers.ValidationError("An era is a decade: 1980, 1990, …", code="invalid")
        return value


class SongListApi(APIView):
    @extend_schema_serializer(component_name="SongFilter")
    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
        emotion = serializers.ChoiceField(choices=EMOTIONS, required=False, allow_blank=True, default="")
        genre = serializers.CharField(
            required=False, allow_blank=True, max_length=40, default="", help_text="Includes its sub-genres."
        )
        era = DecadeField(required=False, help_text="A decade: 1980.")
        source = serializers.ChoiceField(
            choices=list(selectors.SOURCE_FILTERS),
            required=False,
            allow_blank=True,
            default="",
            help_text="Where the song plays in the page: spotify, youtube, preview, or links (none of those).",
        )
        tag_source = serializers.ChoiceField(
            choices=TagSource.choices,
            required=False,
            allow_blank=True,
            default="",
            help_text="Where its emotion tags came from.",
        )

        def validate_genre(self, value):
            if value and not selectors.genre_subtree(value).exists():
                raise serializers.ValidationError(f"Unknown genre {value!r}; GET /api/v1/genres/ lists them.")
            return value

    @extend_schema(
        parameters=[FilterSerializer], responses=SongOutputSerializer(many=True), summary="Active songs, searchable"
    )
    def get(self, request):
        songs = selectors.song_list(**validated_query(self.FilterSerializer, request))
        return paginated(request, self, songs, SongOutputSerializer)


class GenreListApi(APIView):
    pagination_class = None  # the whole vocabulary, a few dozen names

    @extend_schema(responses=GenreOutputSerializer(many=True), summary="The genre vocabulary, broadest first")
    def get(self, request):
        return Response(GenreOutputSerializer(selectors.genre_list(), many=True).data)


class SongDetailApi(APIView):
    @extend_schema_serializer(component_name="SongSourcesInput")
    class InputSerializer(StrictInputSerializer):
        preview_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
        artwork_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
        youtube_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
        spotify_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
        apple_music_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
        deezer_id = serializers.CharField(required=False, allow_blank=True, max_length=200)

        def validate(self, attrs):
            attrs = super().validate(attrs)
            errors = {}
            for name, provider in PROVIDERS.items():
                if provider.field in attrs:
                    try:
                        attrs[provider.field] = normalize_provider_id(name, attrs[provider.field])
                    except ValueError as exc:
                        errors[provider.field] = [str(exc)]
            if errors:
                raise serializers.ValidationError(errors)
            return attrs

    def get_permissions(self):
        if self.request.method == "PATCH":
            return [permissions.IsAuthenticated(), CanChangeSongs()]
        return super().get_permissions()

    @extend_schema(responses=SongOutputSerializer)
    def get(self, request, pk: int):
        song = get_object_or_404(Song.objects.select_related("genre"), pk=pk, active=True)
        return Response(SongOutputSerializer(song).data)

    @extend_schema(
        request=InputSerializer,
        responses=SongOutputSerializer,
        summary="Set a song's preview, artwork and provider ids (catalogue curators)",
        description="Provider ids may be given as the provider's track links; the bare id is stored. "
        "Needs the music.change_song permission.",
    )
    def patch(self, request, pk: int):
        song = get_object_or_404(Song, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        song = song_sources_update(song=song, **data.validated_data)
        return Response(SongOutputSerializer(song).data)


class SongEnrichApi(APIView):
    permission_classes = [permissions.IsAuthenticated, CanChangeSongs]

    @extend_schema_serializer(component_name="SongEnrichInput")
    class InputSerializer(StrictInputSerializer):
        songs = serializers.ListField(child=ObjectIdField(), min_length=1, max_length=ENRICH_MAX_SONGS)
        refresh = serializers.BooleanField(
            required=False, default=True, help_text="Ask again about songs looked up before (default)."
        )

    @extend_schema_serializer(component_name="SongEnrichQueued")
    class OutputSerializer(serializers.Serializer):
        queued = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(
        request=InputSerializer,
        responses={202: OutputSerializer},
        summary="Look songs up in the iTunes catalogue (catalogue curators)",
        description="Queues enrich_catalog for these songs: previews, artwork, duration and Apple Music ids from "
        "confident matches. Results show on each song (`enrichment` in the admin). At most "
        f"{ENRICH_MAX_SONGS} songs per request.",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(data.validated_data["songs"]))
        found = set(Song.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise ValidationError({"songs": [f"Unknown song ids: {', '.join(map(str, missing[:20]))}."]})
        refresh = data.validated_data["refresh"]
        transaction.on_commit(lambda: songs_enrich_task.delay(ids, refresh))
        return Response({"queued": ids}, status=status.HTTP_202_ACCEPTED)
