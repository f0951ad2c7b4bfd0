from django.urls import path

from . import api

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
]
