from django.urls import path

from . import api, api_deprecated

urlpatterns = [
    path("checkins/", api.CheckInListCreateApi.as_view(), name="check-in-list"),
    path("checkins/<int:check_in_id>/", api.CheckInDetailApi.as_view(), name="check-in-detail"),
    path("checkins/<int:check_in_id>/status/", api.CheckInStatusApi.as_view(), name="check-in-status"),
    path(
        "checkins/<int:check_in_id>/correction/",
        api.CheckInCorrectionApi.as_view(),
        name="check-in-correction",
    ),
    path("checkins/<int:check_in_id>/face/", api.CheckInFaceSelectApi.as_view(), name="check-in-face"),
    path("checkins/<int:check_in_id>/image/", api.CheckInImageApi.as_view(), name="check-in-image"),
    # Deprecated names, answered for one more version (detection.api_deprecated).
    path("submissions/", api_deprecated.SubmissionListCreateApi.as_view(), name="submission-list"),
    path("submissions/<int:submission_id>/", api_deprecated.SubmissionDetailApi.as_view(), name="submission-detail"),
    path(
        "submissions/<int:submission_id>/correction/",
        api_deprecated.SubmissionCorrectionApi.as_view(),
        name="submission-correction",
    ),
    path(
        "submissions/<int:submission_id>/face/",
        api_deprecated.SubmissionFaceSelectApi.as_view(),
        name="submission-face",
    ),
    path(
        "submissions/<int:submission_id>/image/", api_deprecated.SubmissionImageApi.as_view(), name="submission-image"
    ),
]
