"""The history API before check-ins had one name, kept for one version (docs/api.md, "Deprecated").

    GET|DELETE /api/v1/history/                 -> /api/v1/history/summary/ and /api/v1/history/checkins/
    GET|DELETE /api/v1/history/sessions/{id}/   -> /api/v1/checkins/{id}/
    GET        /api/v1/history/export/          -> /api/v1/history/checkins/export/

Each answers in its old shape ("session" where the new API says "check-in"), with `Deprecation`
and `Link` headers. Delete this module and its URLs in the next version."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from symphony.api import DeprecatedApiMixin
from symphony.shortcuts import object_or_404

from . import api, selectors, services

OLD_SHAPE = OpenApiResponse(OpenApiTypes.OBJECT, description="The old shape: see docs/api.md, Deprecated.")
NOT_FOUND = OpenApiResponse(description="No such check-in (or it belongs to someone else).")


def _renamed(row: dict, names: dict[str, str]) -> dict:
    return {names.get(key, key): value for key, value in row.items()}


def old_summary(summary: dict) -> dict:
    """The summary with its old key names."""
    old = {**summary, "recap": _renamed(summary["recap"], {"week_check_ins": "week_sessions"})}
    lifted = _renamed(summary["lifted"], {"check_ins": "sessions"})
    lifted["examples"] = [_renamed(example, {"check_in": "session"}) for example in lifted["examples"]]
    return {**old, "lifted": lifted}


class HistoryApi(DeprecatedApiMixin, APIView):
    successor = "api-v1:history-summary"
    throttle_scope = "history"

    @extend_schema(operation_id="history_retrieve", parameters=[api.CheckInFilterSerializer], responses=OLD_SHAPE)
    def get(self, request):
        period, values = api.period_from(request, api.CheckInFilterSerializer)
        page, paginator = api.check_ins_page(self, request, period, values.get("emotion", ""))
        summary = api.HistorySummarySerializer(selectors.mood_summary(user=request.user, period=period)).data
        number = paginator.page.number
        pagination = {
            "count": paginator.page.paginator.count,
            "page": number,
            "pages": paginator.page.paginator.num_pages,
            "next": paginator.get_next_link(),
            # The old links always named the page, even the first.
            "previous": replace_query_param(request.build_absolute_uri(), "page", number - 1) if number > 1 else None,
        }
        sessions = api.HistoryCheckInSerializer(page, many=True).data
        return Response({"summary": old_summary(summary), "sessions": sessions, "pagination": pagination})

    @extend_schema(operation_id="history_destroy", responses={204: None})
    def delete(self, request):
        services.history_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HistorySessionApi(DeprecatedApiMixin, APIView):
    successor = "api-v1:check-in-detail"
    throttle_scope = "history"
    renamed_kwargs = {"session_id": "check_in_id"}

    def _check_in(self, request, check_in_id: int):
        return object_or_404(selectors.check_in_get(user=request.user, check_in_id=check_in_id))

    @extend_schema(operation_id="history_session_retrieve", responses={200: OLD_SHAPE, 404: NOT_FOUND})
    def get(self, request, check_in_id: int):
        return Response(api.HistoryCheckInSerializer(self._check_in(request, check_in_id)).data)

    @extend_schema(operation_id="history_session_destroy", responses={204: None, 404: NOT_FOUND})
    def delete(self, request, check_in_id: int):
        services.check_in_forget(check_in=self._check_in(request, check_in_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class HistoryExportApi(DeprecatedApiMixin, api.HistoryExportApi):
    successor = "api-v1:history-export"

    @extend_schema(operation_id="history_export", parameters=[api.ExportFilterSerializer], responses=OLD_SHAPE)
    def get(self, request):
        period, values = api.period_from(request, api.ExportFilterSerializer)
        return api.export_response(
            request,
            values["format"],
            period,
            lambda summary, check_ins: {
                "exported_at": api.timezone.now(),
                "summary": old_summary(summary),
                "sessions": check_ins,
            },
        )
