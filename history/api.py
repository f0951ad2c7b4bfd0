"""REST API for the mood history (docs/api.md, "Mood history"): its summary, its check-ins and their export."""

import csv

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ml.labels import EMOTIONS
from music.library.selectors import FEEDBACK_KINDS
from symphony.api import validated_query
from symphony.pagination import paginate
from symphony.schema import error_response

from . import selectors, services


class EmotionMapSerializer(serializers.Serializer):
    """One field per emotion name (from ml.labels), so the schema lists all eight exactly."""

    value_field = serializers.FloatField

    def get_fields(self):
        return {name: self.value_field() for name in EMOTIONS}


class HistoryEmotionSharesSerializer(EmotionMapSerializer):
    """Share of check-ins per mood (0..1; sums to 1)."""


class HistoryEmotionCountsSerializer(EmotionMapSerializer):
    """Number of check-ins per mood."""

    value_field = serializers.IntegerField


class PeriodFieldsMixin:
    """`from` and `to` are Python keywords: declared as date_from/date_to, named from/to in JSON."""

    def get_fields(self):
        renamed = {"date_from": "from", "date_to": "to"}
        return {renamed.get(name, name): field for name, field in super().get_fields().items()}


class HistoryDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Local date.")
    count = serializers.IntegerField()
    emotions = HistoryEmotionSharesSerializer(help_text="The day's mix of moods.")
    top_emotion = serializers.ChoiceField(choices=EMOTIONS)


class HistoryHourSerializer(serializers.Serializer):
    hour = serializers.IntegerField(min_value=0, max_value=23, help_text="Local hour of the day.")
    count = serializers.IntegerField()
    counts = HistoryEmotionCountsSerializer()
    top_emotion = serializers.ChoiceField(choices=EMOTIONS, allow_null=True)


class HistoryLikedSongSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    artist = serializers.CharField()
    likes = serializers.IntegerField()


class HistoryRecapSerializer(serializers.Serializer):
    week_from = serializers.DateField()
    week_to = serializers.DateField()
    week_check_ins = serializers.IntegerField()
    mostly = serializers.ChoiceField(choices=EMOTIONS, allow_null=True, help_text="The week's most frequent mood.")
    week_distribution = HistoryEmotionSharesSerializer()
    liked_this_week = HistoryLikedSongSerializer(many=True)
    liked_in_period = HistoryLikedSongSerializer(many=True)


class HistoryLiftedExampleSerializer(serializers.Serializer):
    check_in = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    emotion = serializers.ChoiceField(choices=EMOTIONS)
    next_emotion = serializers.ChoiceField(choices=EMOTIONS)
    goal = serializers.CharField()
    change = serializers.FloatField(help_text="Valence of the next check-in minus this one's.")


class HistoryLiftedSessionSongSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    artist = serializers.CharField()
    moves = serializers.IntegerField(help_text="Moves towards the goal this song was played before.")


class HistoryLiftedSessionsSerializer(serializers.Serializer):
    sessions = serializers.IntegerField(help_text="Live sessions with a lift or calm goal.")
    moves = serializers.IntegerField(help_text="Pairs of sure readings in a row in them.")
    helped = serializers.IntegerField(help_text="… where the second reading was nearer the goal.")
    songs = HistoryLiftedSessionSongSerializer(many=True, help_text="Songs played before those moves.")


class HistoryLiftedSerializer(serializers.Serializer):
    check_ins = serializers.IntegerField(help_text="Check-ins with a lift/calm goal and a follow-up within a day.")
    helped = serializers.IntegerField(help_text="… after which the next check-in's valence was higher.")
    same = serializers.IntegerField()
    worse = serializers.IntegerField()
    average_change = serializers.FloatField(allow_null=True)
    examples = HistoryLiftedExampleSerializer(many=True)
    liked_songs = HistoryLikedSongSerializer(many=True, help_text="Songs liked in the check-ins that helped.")
    sessions = HistoryLiftedSessionsSerializer(help_text="The same question asked of live sessions.")


class HistorySummarySerializer(PeriodFieldsMixin, serializers.Serializer):
    date_from = serializers.DateField(allow_null=True, help_text="First day of the period (null: open).")
    date_to = serializers.DateField(allow_null=True, help_text="Last day of the period (null: open).")
    total = serializers.IntegerField()
    distribution = HistoryEmotionSharesSerializer()
    counts = HistoryEmotionCountsSerializer()
    top_emotion = serializers.ChoiceField(choices=EMOTIONS, allow_null=True)
    # Five years are ~1,800 days: nested serializers per day would dominate the response time,
    # so the rows (already JSON-shaped by the selector) pass through; the schema stays exact.
    daily = serializers.SerializerMethodField(help_text="Days with check-ins, oldest first.")
    hours = serializers.SerializerMethodField(help_text="24 entries: the time-of-day pattern.")
    recap = HistoryRecapSerializer()
    lifted = HistoryLiftedSerializer(help_text='"What lifted me".')

    @extend_schema_field(HistoryDaySerializer(many=True))
    def get_daily(self, summary) -> list[dict]:
        keys = ("count", "emotions", "top_emotion")
        return [{"date": day["date"].isoformat(), **{key: day[key] for key in keys}} for day in summary["daily"]]

    @extend_schema_field(HistoryHourSerializer(many=True))
    def get_hours(self, summary) -> list[dict]:
        return summary["hours"]


class HistorySongSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    artist = serializers.CharField()


class HistoryCheckInSongSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    song = HistorySongSerializer()
    feedback = serializers.ListField(
        child=serializers.ChoiceField(choices=FEEDBACK_KINDS), help_text="Feedback given on this song here."
    )


class HistoryListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.CharField()
    created_at = serializers.DateTimeField()


class HistoryCheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    analysed_on = serializers.CharField(help_text="`server`, or `device`: analysed in the browser, no image sent.")
    text = serializers.CharField(help_text="The words given with it, if kept; empty otherwise.")
    top_emotion = serializers.ChoiceField(choices=EMOTIONS)
    confidence = serializers.FloatField(allow_null=True)
    corrected_emotion = serializers.SerializerMethodField()
    effective_emotion = serializers.ChoiceField(choices=EMOTIONS, source="effective")
    emotions = serializers.DictField(child=serializers.FloatField(), allow_null=True)
    url = serializers.SerializerMethodField(help_text="The API URL of the check-in.")
    recommendation = HistoryListSerializer(allow_null=True, help_text="The latest song list made for it.")
    # Already JSON-shaped rows from the selector; ten per check-in, so they skip the nested serializers.
    songs = serializers.SerializerMethodField()

    def get_corrected_emotion(self, obj) -> str | None:
        return obj.corrected_emotion or None

    @extend_schema_field(HistoryCheckInSongSerializer(many=True))
    def get_songs(self, obj) -> list[dict]:
        return obj.songs

    def get_url(self, obj) -> str:
        return reverse("api-v1:check-in-detail", args=[obj.pk])


# OpenAPI cannot bound a date, so the years of selectors.DAY_VALIDATORS (1900 to 2999) are a pattern.
@extend_schema_field({"type": "string", "format": "date", "pattern": r"^(19|2[0-9])[0-9]{2}-"})
class DayField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(validators=selectors.DAY_VALIDATORS, **kwargs)


class PeriodFilterSerializer(PeriodFieldsMixin, serializers.Serializer):
    date_from = DayField(required=False, help_text="First local day, YYYY-MM-DD, from 1900 to 2999.")
    date_to = DayField(required=False, help_text="Last local day, YYYY-MM-DD, from 1900 to 2999.")

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": ["The start date is after the end date."]})
        return attrs


class CheckInFilterSerializer(PeriodFilterSerializer):
    emotion = serializers.ChoiceField(choices=EMOTIONS, required=False, help_text="Only check-ins in this mood.")


class ExportFilterSerializer(PeriodFilterSerializer):
    format = serializers.ChoiceField(choices=["csv", "json"], default="json", help_text="File type.")


def period_from(request, filter_class=PeriodFilterSerializer) -> tuple[selectors.Period, dict]:
    """The validated query (400 on bad input) and the period it names."""
    values = validated_query(filter_class, request)
    return selectors.Period(values.get("from"), values.get("to")), values


def check_ins_page(view, request, period: selectors.Period, emotion: str) -> tuple[list, object]:
    """One page of check-ins with their music, in a fixed number of queries."""
    page, paginator = paginate(request, view, selectors.check_ins(user=request.user, period=period, emotion=emotion))
    return selectors.check_ins_with_music(user=request.user, check_ins=list(page)), paginator


class HistorySummaryApi(APIView):
    # Whole-history queries cost the database: limited per user (settings' throttle rates).
    throttle_scope = "history"

    @extend_schema(
        operation_id="history_summary",
        parameters=[PeriodFilterSerializer],
        responses={200: HistorySummarySerializer, 400: error_response(400, "A bad date.")},
        description="Your mood history in a period (all of it without dates): every aggregate of the history page.",
    )
    def get(self, request):
        period, _ = period_from(request)
        return Response(HistorySummarySerializer(selectors.mood_summary(user=request.user, period=period)).data)


class HistoryCheckInListApi(APIView):
    throttle_scope = "history"

    @extend_schema(
        operation_id="history_check_ins_list",
        parameters=[CheckInFilterSerializer],
        responses={200: HistoryCheckInSerializer(many=True), 400: error_response(400, "A bad date or mood.")},
        description="Your finished check-ins in a period, newest first, each with its songs and your feedback.",
    )
    def get(self, request):
        period, values = period_from(request, CheckInFilterSerializer)
        page, paginator = check_ins_page(self, request, period, values.get("emotion", ""))
        return paginator.get_paginated_response(HistoryCheckInSerializer(page, many=True).data)

    @extend_schema(
        operation_id="history_check_ins_destroy",
        parameters=[PeriodFilterSerializer],
        responses={204: None, 400: error_response(400, "A bad date.")},
        description="Delete your whole mood history: every check-in, stored image and song list made for it. "
        "With `from` and/or `to`, only the finished check-ins of that period (as the list shows them).",
    )
    def delete(self, request):
        period, _ = period_from(request)
        services.history_delete(user=request.user, period=period)
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
    "id", "created_at", "kind", "analysed_on", "text", "top_emotion", "confidence", "corrected_emotion", "effective_emotion",
    *EMOTIONS, "goal", "songs", "liked", "disliked", "played", "skipped",
]  # fmt: skip


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # A song title such as "=HYPERLINK(...)" must stay text in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(check_in) -> list:
    def titles(kind=None) -> str:
        return "; ".join(
            f"{s['song']['artist']} – {s['song']['title']}"
            for s in check_in.songs
            if kind is None or kind in s["feedback"]
        )

    emotions = check_in.emotions or {}
    row = [
        check_in.pk, timezone.localtime(check_in.created_at).isoformat(), check_in.kind, check_in.analysed_on,
        check_in.text,
        check_in.top_emotion,
        check_in.confidence, check_in.corrected_emotion, check_in.effective,
        *[emotions.get(name) for name in EMOTIONS],
        check_in.recommendation.goal if check_in.recommendation else "",
        titles(), titles("like"), titles("dislike"), titles("played"), titles("skipped"),
    ]  # fmt: skip
    return [_csv_cell(value) for value in row]


def export_response(request, fmt: str, period: selectors.Period, json_payload) -> HttpResponse:
    """The export as a download; `json_payload(summary, check_ins)` shapes the JSON file."""
    check_ins = selectors.check_ins_export(user=request.user, period=period)
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(CSV_FIELDS)
        writer.writerows(_csv_row(check_in) for check_in in check_ins)
    else:
        summary = HistorySummarySerializer(selectors.mood_summary(user=request.user, period=period)).data
        payload = json_payload(summary, HistoryCheckInSerializer(check_ins, many=True).data)
        response = HttpResponse(JSONRenderer().render(payload), content_type="application/json")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="mood-history-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


class HistoryExportApi(APIView):
    throttle_scope = "history"
    renderer_classes = [JSONRenderer, CSVRenderer]
    content_negotiation_class = ExportNegotiation

    @extend_schema(
        operation_id="history_check_ins_export",
        parameters=[ExportFilterSerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                {
                    "type": "object",
                    "properties": {
                        "exported_at": {"type": "string", "format": "date-time"},
                        "summary": {"$ref": "#/components/schemas/HistorySummary"},
                        "check_ins": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryCheckIn"}},
                    },
                },
                description="Every check-in in the period with its songs and feedback.",
            ),  # fmt: skip
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per check-in."),
            400: error_response(400, "A bad date or format."),
        },
        description="Download your mood history (all of it, or a period) as CSV or JSON.",
    )
    def get(self, request):
        period, values = period_from(request, ExportFilterSerializer)
        return export_response(
            request,
            values["format"],
            period,
            lambda summary, check_ins: {"exported_at": timezone.now(), "summary": summary, "check_ins": check_ins},
        )
