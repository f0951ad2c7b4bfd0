from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from music import selectors
from music.emotions import EMOTIONS
from music.listening import LISTENING_KINDS, MAX_POSITION_SECONDS, listening_event_create, song_sources_update
from music.models import FeedbackKind, Genre, Playlist, Recommendation, Song
from music.providers import PROVIDERS, normalize_provider_id
from music.recommender import GOALS
from music.services import (
    feedback_create,
    playlist_create,
    playlist_delete,
    playlist_from_recommendation,
    rating_delete,
    recommendation_create,
)
from symphony.api import ObjectIdField, StrictInputSerializer

ENRICH_MAX_SONGS = 50


def _django_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError({"detail": " ".join(exc.messages)})


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
            "valence", "arousal", "energy", "quadrant", "preview_url", "artwork_url", "providers", "links", "embeds",
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


class RecommendationOutputSerializer(serializers.ModelSerializer):
    @extend_schema_serializer(component_name="RecommendationItem")
    class ItemSerializer(serializers.Serializer):
        rank = serializers.IntegerField()
        song = SongOutputSerializer()
        score = serializers.FloatField()
        explanation = serializers.CharField()

    check_in = serializers.IntegerField(source="check_in_id", allow_null=True)
    submission = serializers.IntegerField(
        source="check_in_id",
        allow_null=True,
        help_text="Deprecated: the old name of `check_in`, until the next version.",
    )
    items = ItemSerializer(many=True)

    class Meta:
        model = Recommendation
        fields = ["id", "check_in", "submission", "goal", "emotions", "created_at", "items"]


def paginated(request, view, queryset, serializer_class) -> Response:
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class SongListApi(APIView):
    @extend_schema_serializer(component_name="SongFilter")
    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
        emotion = serializers.ChoiceField(choices=EMOTIONS, required=False, allow_blank=True, default="")
        genre = serializers.CharField(
            required=False, allow_blank=True, max_length=40, default="", help_text="Includes its sub-genres."
        )
        era = serializers.IntegerField(required=False, min_value=1000, max_value=2100, help_text="A decade: 1980.")

        def validate_genre(self, value):
            if value and not selectors.genre_subtree(value).exists():
                raise serializers.ValidationError(f"Unknown genre {value!r}; GET /api/v1/genres/ lists them.")
            return value

        def validate_era(self, value):
            if value % 10:
                raise serializers.ValidationError("An era is a decade: 1980, 1990, …")
            return value

    @extend_schema(
        parameters=[FilterSerializer], responses=SongOutputSerializer(many=True), summary="Active songs, searchable"
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        songs = selectors.song_list(**filters.validated_data)
        return paginated(request, self, songs, SongOutputSerializer)


class GenreListApi(APIView):
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
        try:
            song = song_sources_update(song=song, **data.validated_data)
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from None
        return Response(SongOutputSerializer(song).data)


class RecommendationListCreateApi(APIView):
    # Each new list runs the recommender: limited per user; reading lists is not.
    throttle_scope = "recommendations"

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema_serializer(component_name="RecommendationCreateInput")
    class InputSerializer(StrictInputSerializer):
        emotions = serializers.DictField(child=serializers.FloatField(min_value=0, max_value=1), required=False)
        emotion = serializers.ChoiceField(choices=EMOTIONS, required=False)
        goal = serializers.ChoiceField(choices=GOALS, required=False, help_text="Defaults to the profile's goal.")
        seed = serializers.IntegerField(required=False, min_value=0, max_value=2**62)

        def validate(self, attrs):
            attrs = super().validate(attrs)
            if ("emotions" in attrs) == ("emotion" in attrs):
                raise serializers.ValidationError("Send either `emotions` (a distribution) or `emotion` (a name).")
            return attrs

    @extend_schema(responses=RecommendationOutputSerializer(many=True), summary="Your recommendation lists")
    def get(self, request):
        lists = selectors.recommendation_list(user=request.user)
        return paginated(request, self, lists, RecommendationOutputSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={201: RecommendationOutputSerializer},
        summary="Songs for a mood you state by hand",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        emotions = values["emotions"] if "emotions" in values else {values["emotion"]: 1.0}
        try:
            rec = recommendation_create(
                user=request.user, emotions=emotions, goal=values.get("goal"), seed=values.get("seed")
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        rec = selectors.recommendation_list(user=request.user).get(pk=rec.pk)
        return Response(RecommendationOutputSerializer(rec).data, status=status.HTTP_201_CREATED)


class RecommendationDetailApi(APIView):
    @extend_schema(responses=RecommendationOutputSerializer)
    def get(self, request, pk: int):
        rec = get_object_or_404(selectors.recommendation_list(user=request.user), pk=pk)
        return Response(RecommendationOutputSerializer(rec).data)


class FeedbackCreateApi(APIView):
    @extend_schema_serializer(component_name="FeedbackCreateInput")
    class InputSerializer(StrictInputSerializer):
        song = ObjectIdField()
        kind = serializers.ChoiceField(choices=FeedbackKind.choices)
        recommendation = ObjectIdField(required=False, allow_null=True)
        playlist = ObjectIdField(required=False, allow_null=True)
        position = serializers.FloatField(
            required=False,
            allow_null=True,
            min_value=0,
            max_value=MAX_POSITION_SECONDS,
            help_text="Seconds into the song. Sent by the player with `played` or `skipped`: such an event is "
            "stored once per song and list (recommendation, playlist, or else the day); a retry answers 200 "
            "with the stored event.",
        )

        def validate(self, attrs):
            attrs = super().validate(attrs)
            if attrs.get("position") is None:
                if attrs.get("playlist"):
                    raise serializers.ValidationError(
                        {"playlist": ["Only player events (with `position`) name a playlist."]}
                    )
            elif attrs["kind"] not in LISTENING_KINDS:
                raise serializers.ValidationError(
                    {"position": [f"Only {' and '.join(LISTENING_KINDS)} events have a position."]}
                )
            if attrs.get("playlist") and attrs.get("recommendation"):
                raise serializers.ValidationError("Name a recommendation or a playlist, not both.")
            return attrs

    @extend_schema_serializer(component_name="Feedback")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        song = serializers.IntegerField(source="song_id")
        kind = serializers.CharField()
        recommendation = serializers.IntegerField(source="recommendation_id", allow_null=True)
        playlist = serializers.IntegerField(source="playlist_id", allow_null=True)
        position = serializers.FloatField(allow_null=True)
        created_at = serializers.DateTimeField()

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer, 200: OutputSerializer},
        summary="Like, dislike, play or skip (buttons, or the player's events with a position)",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        song = get_object_or_404(Song, pk=values["song"], active=True)
        recommendation = playlist = None
        if values.get("recommendation"):
            recommendation = get_object_or_404(Recommendation, pk=values["recommendation"], user=request.user)
        if values.get("playlist"):
            playlist = get_object_or_404(Playlist, pk=values["playlist"], user=request.user)
        if values.get("position") is None:
            feedback = feedback_create(user=request.user, song=song, kind=values["kind"], recommendation=recommendation)
            return Response(self.OutputSerializer(feedback).data, status=status.HTTP_201_CREATED)
        try:
            feedback, created = listening_event_create(
                user=request.user, song=song, kind=values["kind"], position=values["position"],
                recommendation=recommendation, playlist=playlist,
            )  # fmt: skip
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.OutputSerializer(feedback).data, status=code)


class LikeListApi(APIView):
    @extend_schema(responses=SongOutputSerializer(many=True), summary="Songs you like, newest first")
    def get(self, request):
        return paginated(request, self, selectors.liked_songs(user=request.user), SongOutputSerializer)


class LikeDeleteApi(APIView):
    @extend_schema(responses={204: None}, summary="Forget your like or dislike of a song")
    def delete(self, request, song_id: int):
        song = get_object_or_404(Song, pk=song_id)
        rating_delete(user=request.user, song=song)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaylistOutputSerializer(serializers.ModelSerializer):
    @extend_schema_serializer(component_name="PlaylistItem")
    class ItemSerializer(serializers.Serializer):
        position = serializers.IntegerField()
        song = SongOutputSerializer()

    items = ItemSerializer(many=True)
    recommendation = serializers.IntegerField(source="recommendation_id", allow_null=True)

    class Meta:
        model = Playlist
        fields = ["id", "name", "recommendation", "created_at", "items"]


class PlaylistListCreateApi(APIView):
    @extend_schema_serializer(component_name="PlaylistCreateInput")
    class InputSerializer(StrictInputSerializer):
        name = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
        songs = serializers.ListField(child=ObjectIdField(), required=False, max_length=500)
        recommendation = ObjectIdField(required=False)

        def validate(self, attrs):
            attrs = super().validate(attrs)
            if ("songs" in attrs) == ("recommendation" in attrs):
                raise serializers.ValidationError("Send either `songs` (song ids) or `recommendation` (a list id).")
            return attrs

    @extend_schema(responses=PlaylistOutputSerializer(many=True), summary="Your playlists")
    def get(self, request):
        return paginated(request, self, selectors.playlist_list(user=request.user), PlaylistOutputSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={201: PlaylistOutputSerializer},
        summary="Save songs, or a recommendation list, as a playlist",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if "recommendation" in values:
                rec = get_object_or_404(Recommendation, pk=values["recommendation"], user=request.user)
                playlist = playlist_from_recommendation(user=request.user, recommendation=rec, name=values["name"])
            else:
                found = Song.objects.in_bulk(values["songs"])
                missing = [pk for pk in values["songs"] if pk not in found]
                if missing:
                    raise ValidationError({"songs": [f"Unknown song ids: {', '.join(map(str, missing[:20]))}."]})
                songs = [found[pk] for pk in values["songs"]]
                playlist = playlist_create(user=request.user, name=values["name"], songs=songs)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        playlist = selectors.playlist_list(user=request.user).get(pk=playlist.pk)
        return Response(PlaylistOutputSerializer(playlist).data, status=status.HTTP_201_CREATED)


class PlaylistDetailApi(APIView):
    def get_object(self, request, pk):
        return get_object_or_404(selectors.playlist_list(user=request.user), pk=pk)

    @extend_schema(responses=PlaylistOutputSerializer)
    def get(self, request, pk: int):
        return Response(PlaylistOutputSerializer(self.get_object(request, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        playlist_delete(playlist=self.get_object(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
