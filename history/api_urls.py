from django.urls import path

from . import api, api_deprecated

urlpatterns = [
    path("history/summary/", api.HistorySummaryApi.as_view(), name="history-summary"),
    path("history/checkins/", api.HistoryCheckInListApi.as_view(), name="history-check-ins"),
    path("history/checkins/export/", api.HistoryExportApi.as_view(), name="history-export"),
    # Deprecated, answered for one more version (history.api_deprecated).
    path("history/", api_deprecated.HistoryApi.as_view(), name="history"),
    path("history/sessions/<int:session_id>/", api_deprecated.HistorySessionApi.as_view(), name="history-session"),
    path("history/export/", api_deprecated.HistoryExportApi.as_view(), name="history-export-deprecated"),
]
