"""The library's API: feedback, likes, playlists, and any list taken elsewhere (M3U8, XSPF, links)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from music.catalog.api import SongOutputSerializer
from music.catalog.models import Song
from music.library import exports, selectors
from music.library.models import FeedbackKind, Playlist, Recommendation
from music.library.services import (
    LISTENING_KINDS,
    MAX_AVOIDED_GENRES,
    MAX_LIKED_ARTISTS,
    MAX_LIKED_GENRES,
    MAX_POSITION_SECONDS,
    feedback_create,
    listening_event_create,
    playlist_create,
    playlist_delete,
    playlist_from_recommendation,
    preferences_export,
    preferences_update,
    rating_delete,
)
from symphony.api import ObjectIdField, StrictInputSerializer
from symphony.pagination import paginated
from symphony.schema import one_of, sent


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
        # validate()'s three rules, for the schema.
        schema_rules = {
            "allOf": [
                {"not": sent(recommendation="integer", playlist="integer")},
                {"anyOf": [{"not": sent(playlist="integer")}, sent(position="number")]},
                {
                    "anyOf": [
                        {"not": sent(position="number")},
                        {"properties": {"kind": {"type": "string", "pattern": f"^({'|'.join(LISTENING_KINDS)})$"}}},
                    ]
                },
            ]
        }

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
        feedback, created = listening_event_create(
            user=request.user, song=song, kind=values["kind"], position=values["position"],
            recommendation=recommendation, playlist=playlist,
        )  # fmt: skip
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
        songs = serializers.ListField(child=ObjectIdField(), required=False, min_length=1, max_length=500)
        recommendation = ObjectIdField(required=False)
        schema_rules = one_of("songs", "recommendation")

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


def _songs_of(owner) -> list[Song]:
    return [item.song for item in owner.items.all()]


class _M3u8Mixin:
    @extend_schema(responses={(200, "audio/x-mpegurl"): OpenApiTypes.STR}, summary="As an M3U8 playlist file")
    def get(self, request, pk: int):
        title, songs = self.get_list(request, pk)
        response = HttpResponse(exports.m3u8(title, songs), content_type=exports.M3U8_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(title, "m3u8")}"'
        return response


class _XspfMixin:
    @extend_schema(responses={(200, "application/xspf+xml"): OpenApiTypes.STR}, summary="As an XSPF playlist file")
    def get(self, request, pk: int):
        title, songs = self.get_list(request, pk)
        response = HttpResponse(exports.xspf(title, songs), content_type=exports.XSPF_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(title, "xspf")}"'
        return response


@extend_schema_serializer(component_name="OpenLink")
class OpenLinkSerializer(serializers.Serializer):
    song = serializers.IntegerField()
    title = serializers.CharField()
    artist = serializers.CharField()
    url = serializers.URLField()
    exact = serializers.BooleanField(help_text="True: the provider's track; false: a search for it.")


@extend_schema_serializer(component_name="OpenLinks")
class OpenLinksSerializer(serializers.Serializer):
    youtube = OpenLinkSerializer(many=True)
    spotify = OpenLinkSerializer(many=True)


class _LinksMixin:
    @extend_schema(responses=OpenLinksSerializer, summary="Open the whole list in YouTube or Spotify: a link per song")
    def get(self, request, pk: int):
        _, songs = self.get_list(request, pk)
        return Response(exports.open_links(songs))


class _RecommendationList:
    def get_list(self, request, pk: int):
        rec = get_object_or_404(selectors.recommendation_list(user=request.user), pk=pk)
        return f"Songs for {rec.top_emotion} · {rec.created_at:%Y-%m-%d %H:%M}", _songs_of(rec)


class _PlaylistList:
    def get_list(self, request, pk: int):
        playlist = get_object_or_404(selectors.playlist_list(user=request.user), pk=pk)
        return playlist.name, _songs_of(playlist)


class RecommendationM3u8Api(_RecommendationList, _M3u8Mixin, APIView):
    pass


class RecommendationXspfApi(_RecommendationList, _XspfMixin, APIView):
    pass


class RecommendationLinksApi(_RecommendationList, _LinksMixin, APIView):
    pass


class PlaylistM3u8Api(_PlaylistList, _M3u8Mixin, APIView):
    pass


class PlaylistXspfApi(_PlaylistList, _XspfMixin, APIView):
    pass


class PlaylistLinksApi(_PlaylistList, _LinksMixin, APIView):
    pass


class MePreferencesApi(APIView):
    """What you like and never want (the warm start): the recommender reads it for every list."""

    @extend_schema_serializer(component_name="PreferencesInput")
    class InputSerializer(StrictInputSerializer):
        likes_genres = serializers.ListField(
            child=serializers.CharField(max_length=40), max_length=MAX_LIKED_GENRES, required=False, default=list,
            help_text="Names from /api/v1/genres/; a family includes its sub-genres.",
        )  # fmt: skip
        avoid_genres = serializers.ListField(
            child=serializers.CharField(max_length=40), max_length=MAX_AVOIDED_GENRES, required=False, default=list,
            help_text="Never listed, sub-genres included.",
        )  # fmt: skip
        likes_artists = serializers.ListField(
            child=serializers.CharField(max_length=200), max_length=MAX_LIKED_ARTISTS, required=False, default=list,
            help_text="Catalogue artists (GET /api/v1/artists/?q= finds them).",
        )  # fmt: skip
        eras = serializers.ListField(
            child=serializers.IntegerField(), min_length=2, max_length=2, required=False, allow_null=True,
            default=None, help_text="[from, to] in years, both included, or null.",
        )  # fmt: skip

    @extend_schema_serializer(component_name="Preferences")
    class OutputSerializer(serializers.Serializer):
        likes_genres = serializers.ListField(child=serializers.CharField())
        avoid_genres = serializers.ListField(child=serializers.CharField())
        likes_artists = serializers.ListField(child=serializers.CharField())
        eras = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
        onboarded_at = serializers.DateTimeField(allow_null=True)
        updated_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(responses=OutputSerializer, summary="Your stated music preferences")
    def get(self, request):
        prefs = selectors.preferences_get(user=request.user)
        return Response(self.OutputSerializer(preferences_export(prefs)).data)

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Replace your stated music preferences (omitted fields are cleared)",
    )
    def put(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # A service's field errors become a 400 in symphony.api.ExceptionHandler, like every API's.
        prefs = preferences_update(user=request.user, **data.validated_data)
        return Response(self.OutputSerializer(preferences_export(prefs)).data)


class ArtistSearchApi(APIView):
    pagination_class = None  # a short list, capped at ARTIST_SEARCH_LIMIT

    @extend_schema_serializer(component_name="ArtistSearchFilter")
    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(max_length=100, help_text="At least 2 characters of the name.")

    @extend_schema_serializer(component_name="Artist")
    class OutputSerializer(serializers.Serializer):
        name = serializers.CharField()
        songs = serializers.IntegerField()

    @extend_schema(
        parameters=[FilterSerializer],
        responses=OutputSerializer(many=True),
        summary="Catalogue artists by name (search as you type)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return Response(self.OutputSerializer(selectors.artist_search(filters.validated_data["q"]), many=True).data)
