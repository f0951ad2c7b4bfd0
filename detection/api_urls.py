from django.urls import path

from . import api, history_api

urlpatterns = [
    path("submissions/", api.SubmissionListCreateApi.as_view(), name="submission-list"),
    path("submissions/<int:submission_id>/", api.SubmissionDetailApi.as_view(), name="submission-detail"),
    path(
        "submissions/<int:submission_id>/correction/",
        api.SubmissionCorrectionApi.as_view(),
        name="submission-correction",
    ),
    path("submissions/<int:submission_id>/face/", api.SubmissionFaceSelectApi.as_view(), name="submission-face"),
    path("submissions/<int:submission_id>/image/", api.SubmissionImageApi.as_view(), name="submission-image"),
    path("history/", history_api.HistoryApi.as_view(), name="history"),
    path("history/export/", history_api.HistoryExportApi.as_view(), name="history-export"),
    path("history/sessions/<int:session_id>/", history_api.HistorySessionApi.as_view(), name="history-session"),
]
