"""REST API for the mood history (shared/API.md: GET /api/v1/history/), its export and deletes."""

import csv
import math

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from ml.labels import EMOTIONS
from music.models import FeedbackKind

from . import history, history_services

MAX_PAGE_SIZE = 100
NOT_FOUND = OpenApiResponse(description="No such session (or it belongs to someone else).")


def _emotion_map(name: str, field, help_text: str) -> type[serializers.Serializer]:
    """A serializer with one field per emotion name, so the schema lists all eight exactly."""
    return type(name, (serializers.Serializer,), {"__doc__": help_text, **{e: field() for e in EMOTIONS}})


EmotionSharesSerializer = _emotion_map(
    "HistoryEmotionSharesSerializer", serializers.FloatField, "Share of sessions per mood (0..1; sums to 1)."
)
EmotionCountsSerializer = _emotion_map(
    "HistoryEmotionCountsSerializer", serializers.IntegerField, "Number of sessions per mood."
)


class HistoryDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Local date.")
    count = serializers.IntegerField()
    emotions = EmotionSharesSerializer(help_text="The day's mix of moods.")
    top_emotion = serializers.ChoiceField(choices=EMOTIONS)


class HistoryHourSerializer(serializers.Serializer):
    hour = serializers.IntegerField(min_value=0, max_value=23, help_text="Local hour of the day.")
    count = serializers.IntegerField()
    counts = EmotionCountsSerializer()
    top_emotion = serializers.ChoiceField(choices=EMOTIONS, allow_null=True)


class HistoryLikedSongSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    artist = serializers.CharField()
    likes = serializers.IntegerField()


class HistoryRecapSerializer(serializers.Serializer):
    week_from = serializers.DateField()
    week_to = serializers.DateField()
    week_sessions = serializers.IntegerField()
    mostly = serializers.ChoiceField(choices=EMOTIONS, allow_null=True, help_text="The week's most frequent mood.")
    week_distribution = EmotionSharesSerializer()
    liked_this_week = HistoryLikedSongSerializer(many=True)
    liked_in_period = HistoryLikedSongSerializer(many=True)


class HistoryLiftedExampleSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    emotion = serializers.ChoiceField(choices=EMOTIONS)
    next_emotion = serializers.ChoiceField(choices=EMOTIONS)
    goal = serializers.CharField()
    change = serializers.FloatField(help_text="Valence of the next session minus this one's.")


class HistoryLiftedSerializer(serializers.Serializer):
    sessions = serializers.IntegerField(help_text="Sessions with a lift/calm goal and a follow-up within a day.")
    helped = serializers.IntegerField(help_text="… after which the next session's valence was higher.")
    same = serializers.IntegerField()
    worse = serializers.IntegerField()
    average_change = serializers.FloatField(allow_null=True)
    examples = HistoryLiftedExampleSerializer(many=True)
    liked_songs = HistoryLikedSongSerializer(many=True, help_text="Songs liked in the sessions that helped.")


SummarySerializer = type(
    "HistorySummarySerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateField(allow_null=True, help_text="First day of the period (null: open)."),
        "to": serializers.DateField(allow_null=True, help_text="Last day of the period (null: open)."),
        "total": serializers.IntegerField(),
        "distribution": EmotionSharesSerializer(),
        "counts": EmotionCountsSerializer(),
        "top_emotion": serializers.ChoiceField(choices=EMOTIONS, allow_null=True),
        # Five years are ~1,800 days: nested serializers per day would dominate the response time,
        # so the rows (already JSON-shaped by the selector) pass through; the schema stays exact.
        "daily": serializers.SerializerMethodField(help_text="Days with sessions, oldest first."),
        "get_daily": extend_schema_field(HistoryDaySerializer(many=True))(
            lambda self, summary: [
                {
                    "date": day["date"].isoformat(),
                    "count": day["count"],
                    "emotions": day["emotions"],
                    "top_emotion": day["top_emotion"],
                }
                for day in summary["daily"]
            ]  # fmt: skip
        ),
        "hours": serializers.SerializerMethodField(help_text="24 entries: the time-of-day pattern."),
        "get_hours": extend_schema_field(HistoryHourSerializer(many=True))(lambda self, summary: summary["hours"]),
        "recap": HistoryRecapSerializer(),
        "lifted": HistoryLiftedSerializer(allow_null=True, help_text='"What lifted me"; null off PostgreSQL.'),
    },
)


class HistorySongSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    artist = serializers.CharField()


class HistorySessionSongSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    song = HistorySongSerializer()
    feedback = serializers.ListField(
        child=serializers.ChoiceField(choices=FeedbackKind.values), help_text="Feedback given on this song here."
    )


class HistorySessionRecommendationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.CharField()
    created_at = serializers.DateTimeField()


class HistorySessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    top_emotion = serializers.ChoiceField(choices=EMOTIONS)
    confidence = serializers.FloatField(allow_null=True)
    corrected_emotion = serializers.SerializerMethodField()
    effective_emotion = serializers.ChoiceField(choices=EMOTIONS, source="effective")
    emotions = serializers.DictField(child=serializers.FloatField(), allow_null=True)
    url = serializers.SerializerMethodField(help_text="The API URL of the check-in.")
    recommendation = HistorySessionRecommendationSerializer(allow_null=True)
    # Already JSON-shaped rows from the selector; ten per session, so they skip the nested serializers.
    songs = serializers.SerializerMethodField()

    def get_corrected_emotion(self, obj) -> str | None:
        return obj.corrected_emotion or None

    @extend_schema_field(HistorySessionSongSerializer(many=True))
    def get_songs(self, obj) -> list[dict]:
        return obj.songs

    def get_url(self, obj) -> str:
        return reverse("api-v1:check-in-detail", args=[obj.pk])


class HistoryPaginationSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Sessions matching the filters.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class HistoryOutputSerializer(serializers.Serializer):
    summary = SummarySerializer()
    sessions = HistorySessionSerializer(many=True, help_text="One page of sessions, newest first.")
    pagination = HistoryPaginationSerializer()


def _filter_serializer(name: str, extra: dict) -> type[serializers.Serializer]:
    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": ["The start date is after the end date."]})
        return attrs

    fields = {
        "from": serializers.DateField(
            required=False, validators=history.DAY_VALIDATORS, help_text="First local day, YYYY-MM-DD."
        ),
        "to": serializers.DateField(
            required=False, validators=history.DAY_VALIDATORS, help_text="Last local day, YYYY-MM-DD."
        ),
        "validate": validate,
        **extra,
    }
    return type(name, (serializers.Serializer,), fields)


def _period(values: dict) -> history.HistoryRange:
    return history.HistoryRange(values.get("from"), values.get("to"))


class HistoryApi(APIView):
    FilterSerializer = _filter_serializer(
        "HistoryFilterSerializer",
        {
            "emotion": serializers.ChoiceField(
                choices=EMOTIONS, required=False, help_text="Only sessions in this mood (the summary is not filtered)."
            ),
            "page": serializers.IntegerField(required=False, min_value=1, default=1),
            "page_size": serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=20),
        },
    )

    @extend_schema(
        operation_id="history_retrieve",
        parameters=[FilterSerializer],
        responses={200: HistoryOutputSerializer, 400: OpenApiResponse(description="A bad date, mood or page.")},
        description="Your mood history in a period (all of it without dates): aggregates and a page of sessions.",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        period = _period(values)
        sessions = history.history_sessions(user=request.user, period=period, emotion=values.get("emotion", ""))
        count = sessions.count()
        size = values["page_size"]
        pages = max(1, math.ceil(count / size))
        number = values["page"]
        if number > pages:
            raise Http404("Invalid page.")
        page = list(sessions[(number - 1) * size : number * size])
        history.sessions_with_music(user=request.user, sessions=page)
        url = request.build_absolute_uri()
        data = {
            "summary": history.mood_summary(user=request.user, period=period),
            "sessions": page,
            "pagination": {
                "count": count,
                "page": number,
                "pages": pages,
                "next": replace_query_param(url, "page", number + 1) if number < pages else None,
                "previous": replace_query_param(url, "page", number - 1) if number > 1 else None,
            },
        }
        return Response(HistoryOutputSerializer(data).data)

    @extend_schema(
        operation_id="history_destroy",
        responses={204: None},
        description="Delete your whole mood history: every check-in, stored image and song list made for it.",
    )
    def delete(self, request):
        history_services.history_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HistorySessionApi(APIView):
    def _session(self, request, session_id: int):
        session = history.history_session_get(user=request.user, session_id=session_id)
        if session is None:
            raise Http404
        return session

    @extend_schema(operation_id="history_session_retrieve", responses={200: HistorySessionSerializer, 404: NOT_FOUND})
    def get(self, request, session_id: int):
        return Response(HistorySessionSerializer(self._session(request, session_id)).data)

    @extend_schema(operation_id="history_session_destroy", responses={204: None, 404: NOT_FOUND})
    def delete(self, request, session_id: int):
        history_services.history_session_delete(session=self._session(request, session_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ExportNegotiation(DefaultContentNegotiation):
    """`?format=` names the export file type here, not a DRF renderer: never a 404 for it."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


CSV_FIELDS = [
    "id", "created_at", "kind", "top_emotion", "confidence", "corrected_emotion", "effective_emotion",
    *EMOTIONS, "goal", "songs", "liked", "disliked", "played", "skipped",
]  # fmt: skip


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # A song title such as "=HYPERLINK(...)" must stay text in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(session) -> list:
    def titles(kind=None) -> str:
        return "; ".join(
            f"{s['song']['artist']} – {s['song']['title']}"
            for s in session.songs
            if kind is None or kind in s["feedback"]
        )

    emotions = session.emotions or {}
    row = [
        session.pk, timezone.localtime(session.created_at).isoformat(), session.kind, session.top_emotion,
        session.confidence, session.corrected_emotion, session.effective,
        *[emotions.get(name) for name in EMOTIONS],
        session.recommendation.goal if session.recommendation else "",
        titles(), titles(FeedbackKind.LIKE), titles(FeedbackKind.DISLIKE), titles(FeedbackKind.PLAYED),
        titles(FeedbackKind.SKIPPED),
    ]  # fmt: skip
    return [_csv_cell(value) for value in row]


class HistoryExportApi(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer]
    content_negotiation_class = ExportNegotiation
    FilterSerializer = _filter_serializer(
        "HistoryExportFilterSerializer",
        {"format": serializers.ChoiceField(choices=["csv", "json"], default="json", help_text="File type.")},
    )

    @extend_schema(
        operation_id="history_export",
        parameters=[FilterSerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                {
                    "type": "object",
                    "properties": {
                        "exported_at": {"type": "string", "format": "date-time"},
                        "summary": {"$ref": "#/components/schemas/HistorySummary"},
                        "sessions": {"type": "array", "items": {"$ref": "#/components/schemas/HistorySession"}},
                    },
                },
                description="Every session in the period with its songs and feedback.",
            ),  # fmt: skip
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per session."),
            400: OpenApiResponse(description="A bad date or format."),
        },
        description="Download your mood history (all of it, or a period) as CSV or JSON.",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        period = _period(values)
        sessions = history.history_export(user=request.user, period=period)
        stamp = timezone.localdate().isoformat()
        if values["format"] == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            writer = csv.writer(response)
            writer.writerow(CSV_FIELDS)
            writer.writerows(_csv_row(session) for session in sessions)
        else:
            payload = {
                "exported_at": timezone.now(),
                "summary": SummarySerializer(history.mood_summary(user=request.user, period=period)).data,
                "sessions": HistorySessionSerializer(sessions, many=True).data,
            }
            response = HttpResponse(JSONRenderer().render(payload), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="mood-history-{stamp}.{values["format"]}"'
        response["Cache-Control"] = "private, no-store"
        return response
