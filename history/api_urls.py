from django.urls import path

from . import api

urlpatterns = [
    path("history/summary/", api.HistorySummaryApi.as_view(), name="history-summary"),
    path("history/checkins/", api.HistoryCheckInListApi.as_view(), name="history-check-ins"),
    path("history/checkins/export/", api.HistoryExportApi.as_view(), name="history-export"),
]
