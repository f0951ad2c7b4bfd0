from django.urls import path

from . import api, api_ondevice

urlpatterns = [
    path("checkins/", api.CheckInListCreateApi.as_view(), name="check-in-list"),
    path("checkins/on-device/", api_ondevice.CheckInOnDeviceApi.as_view(), name="check-in-on-device"),
    path("checkins/<int:check_in_id>/", api.CheckInDetailApi.as_view(), name="check-in-detail"),
    path("checkins/<int:check_in_id>/status/", api.CheckInStatusApi.as_view(), name="check-in-status"),
    path(
        "checkins/<int:check_in_id>/correction/",
        api.CheckInCorrectionApi.as_view(),
        name="check-in-correction",
    ),
    path("checkins/<int:check_in_id>/face/", api.CheckInFaceSelectApi.as_view(), name="check-in-face"),
    path("checkins/<int:check_in_id>/image/", api.CheckInImageApi.as_view(), name="check-in-image"),
]
