"""REST API for live mode (docs/api.md, "Live mode"): sessions and their readings."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Goal
from accounts.permissions import HasConsent
from detection import selectors as detection_selectors
from music.catalog.models import Song
from music.library import selectors as library_selectors
from music.recommendation.api import RecommendationOutputSerializer
from symphony.api import ObjectIdField, StrictInputSerializer
from symphony.pagination import paginated
from symphony.schema import error_response
from symphony.shortcuts import object_or_404

from . import selectors, services
from .models import INTERVAL_CHOICES, LiveReading, LiveSession, Outcome

NOT_FOUND = {404: error_response(404, "No such live session (or it belongs to someone else).")}
BAD_INPUT = {400: error_response(400, "Bad input, or the session has ended, with a message saying what is wrong.")}
# How many songs a reading may say were already heard (a session is an hour of songs at most).
MAX_HEARD = 200


class PointSerializer(serializers.Serializer):
    valence = serializers.FloatField()
    arousal = serializers.FloatField()


@extend_schema_serializer(component_name="LiveReading")
class ReadingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    check_in = serializers.IntegerField(source="check_in_id", allow_null=True)
    taken_at = serializers.DateTimeField()
    emotions = serializers.DictField(child=serializers.FloatField(), allow_null=True)
    top_emotion = serializers.CharField(allow_blank=True)
    confidence = serializers.FloatField(allow_null=True)
    valence = serializers.FloatField(allow_null=True)
    arousal = serializers.FloatField(allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    sure = serializers.BooleanField(help_text="False for no face or a low confidence: such a reading moves nothing.")
    target = serializers.DictField(
        child=serializers.FloatField(), allow_null=True, help_text="The iso step the queue was re-ranked for."
    )
    target_valence = serializers.FloatField(allow_null=True)
    target_arousal = serializers.FloatField(allow_null=True)
    playing = serializers.IntegerField(source="playing_id", allow_null=True)
    recommendation = serializers.IntegerField(
        source="recommendation_id", allow_null=True, help_text="The list of songs queued after it, when it moved."
    )
    message = serializers.CharField()


@extend_schema_serializer(component_name="LiveReadingCreated")
class ReadingCreatedSerializer(ReadingOutputSerializer):
    queue = RecommendationOutputSerializer(
        allow_null=True, help_text="The songs now queued after the one playing; null when the queue stays."
    )
    suggest_manual = serializers.BooleanField(help_text="The last readings were all unsure: offer the mood picker.")


@extend_schema_serializer(component_name="LiveSession")
class SessionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.ChoiceField(choices=Goal.choices)
    interval_minutes = serializers.ChoiceField(choices=INTERVAL_CHOICES)
    interval_seconds = serializers.IntegerField(help_text="Seconds between readings (LIVE_INTERVAL_SECONDS wins).")
    recommendation = serializers.IntegerField(source="recommendation_id", allow_null=True)
    started_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField()
    readings = ReadingOutputSerializer(many=True, source="readings.all")
    url = serializers.SerializerMethodField()

    def get_url(self, session) -> str:
        return reverse("api-v1:live-session-detail", args=[session.pk])


class SongOnPathSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    song = serializers.IntegerField()
    title = serializers.CharField()
    artist = serializers.CharField()
    valence = serializers.FloatField()
    arousal = serializers.FloatField()
    after_reading = serializers.IntegerField(allow_null=True)


class ChangeSerializer(serializers.Serializer):
    start = PointSerializer(source="from")
    end = PointSerializer(source="to")
    valence = serializers.FloatField()
    arousal = serializers.FloatField()
    toward_goal = serializers.BooleanField(allow_null=True)


@extend_schema_serializer(component_name="LiveSessionDetail")
class SessionDetailSerializer(SessionOutputSerializer):
    songs = serializers.SerializerMethodField(help_text="Songs played or skipped, in order, with the reading before.")
    change = serializers.SerializerMethodField(help_text="From the first sure reading to the last; null before one.")

    def to_representation(self, session):
        self._path = selectors.session_path(session)
        return super().to_representation(session)

    @extend_schema_field(SongOnPathSerializer(many=True))
    def get_songs(self, session) -> list[dict]:
        return SongOnPathSerializer(self._path["songs"], many=True).data

    @extend_schema_field(ChangeSerializer(allow_null=True))
    def get_change(self, session) -> dict | None:
        change = self._path["change"]
        return ChangeSerializer(change).data if change else None


def _session(request, session_id: int) -> LiveSession:
    return object_or_404(selectors.session_get(user=request.user, session_id=session_id))


class LiveSessionListCreateApi(APIView):
    """Your live sessions, or start one on a list you are playing."""

    @extend_schema_serializer(component_name="LiveSessionCreateInput")
    class InputSerializer(StrictInputSerializer):
        recommendation = ObjectIdField(help_text="The list playing: its songs are the first queue.")
        goal = serializers.ChoiceField(choices=Goal.choices, required=False, help_text="Defaults to the profile's.")
        interval_minutes = serializers.ChoiceField(choices=INTERVAL_CHOICES, required=False)

    def get_permissions(self):
        return [IsAuthenticated(), HasConsent()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(operation_id="live_sessions_list", responses=SessionOutputSerializer(many=True))
    def get(self, request):
        return paginated(request, self, selectors.session_list(user=request.user), SessionOutputSerializer)

    @extend_schema(
        operation_id="live_sessions_create",
        request=InputSerializer,
        responses={201: SessionOutputSerializer, **BAD_INPUT},
        summary="Start live mode on a list",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        recommendation = library_selectors.recommendation_list(user=request.user).filter(pk=values["recommendation"])
        if not recommendation:
            raise serializers.ValidationError({"recommendation": ["No such list."]})
        session = services.session_start(
            user=request.user, recommendation=recommendation[0], goal=values.get("goal", ""),
            interval_minutes=values.get("interval_minutes"),
        )  # fmt: skip
        session = selectors.session_get(user=request.user, session_id=session.pk)
        return Response(SessionOutputSerializer(session).data, status=status.HTTP_201_CREATED)


class LiveSessionDetailApi(APIView):
    @extend_schema(operation_id="live_sessions_retrieve", responses={200: SessionDetailSerializer, **NOT_FOUND})
    def get(self, request, session_id: int):
        return Response(SessionDetailSerializer(_session(request, session_id)).data)

    @extend_schema(operation_id="live_sessions_destroy", responses={204: None, **NOT_FOUND})
    def delete(self, request, session_id: int):
        _session(request, session_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LiveSessionStopApi(APIView):
    @extend_schema(
        operation_id="live_sessions_stop", request=None, responses={200: SessionOutputSerializer, **NOT_FOUND}
    )
    def post(self, request, session_id: int):
        session = services.session_stop(session=_session(request, session_id))
        return Response(SessionOutputSerializer(session).data)


class LiveSessionRenewApi(APIView):
    @extend_schema(
        operation_id="live_sessions_renew",
        request=None,
        responses={200: SessionOutputSerializer, **BAD_INPUT, **NOT_FOUND},
        summary="Another hour of live mode, for a session still running",
    )
    def post(self, request, session_id: int):
        session = services.session_renew(session=_session(request, session_id))
        return Response(SessionOutputSerializer(session).data)


class LiveReadingListCreateApi(APIView):
    """A session's readings, or a new one: a finished check-in taken while live mode ran."""

    # Each reading may run the recommender, like a new list.
    throttle_scope = "recommendations"

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    def get_permissions(self):
        return [IsAuthenticated(), HasConsent()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema_serializer(component_name="LiveReadingCreateInput")
    class InputSerializer(StrictInputSerializer):
        check_in = ObjectIdField(help_text="Your finished check-in (a webcam burst) taken for this reading.")
        playing = ObjectIdField(required=False, allow_null=True, help_text="The song playing: it is never cut.")
        heard = serializers.ListField(
            child=ObjectIdField(), required=False, max_length=MAX_HEARD,
            help_text="Songs of the queue already reached: never queued again.",
        )  # fmt: skip

    @extend_schema(operation_id="live_readings_list", responses={200: ReadingOutputSerializer(many=True), **NOT_FOUND})
    def get(self, request, session_id: int):
        readings = LiveReading.objects.filter(session=_session(request, session_id))
        return paginated(request, self, readings, ReadingOutputSerializer)

    @extend_schema(
        operation_id="live_readings_create",
        request=InputSerializer,
        responses={201: ReadingCreatedSerializer, **BAD_INPUT, **NOT_FOUND},
        summary="Record a reading; the queue adapts",
    )
    def post(self, request, session_id: int):
        session = _session(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        check_in = detection_selectors.check_in_get(user=request.user, check_in_id=values["check_in"])
        if check_in is None:
            raise serializers.ValidationError({"check_in": ["No such check-in."]})
        playing = None
        if values.get("playing"):
            playing = Song.objects.filter(pk=values["playing"]).first()
            if playing is None:
                raise serializers.ValidationError({"playing": ["No such song."]})
        reading = services.reading_record(
            session=session, mood=services.mood_from_check_in(check_in), check_in=check_in, playing=playing,
            heard=values.get("heard", ()),
        )  # fmt: skip
        queue = None
        if reading.recommendation_id:
            queue = library_selectors.recommendation_list(user=request.user).get(pk=reading.recommendation_id)
        readings = list(session.readings.all())
        body = {**ReadingOutputSerializer(reading).data, "suggest_manual": selectors.suggest_manual(readings)}
        body["queue"] = RecommendationOutputSerializer(queue).data if queue else None
        return Response(body, status=status.HTTP_201_CREATED)
