"""The listening API beyond songs and feedback: curators queue catalogue enrichment; listeners
take a list elsewhere (M3U8, XSPF, open-in-YouTube/Spotify links)."""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from music import exports, selectors
from music.api import CanChangeSongs
from music.models import Song
from music.tasks import songs_enrich_task
from symphony.api import ObjectIdField, StrictInputSerializer

ENRICH_MAX_SONGS = 50


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
