from django.urls import path

from . import api

urlpatterns = [
    path("live/sessions/", api.LiveSessionListCreateApi.as_view(), name="live-session-list"),
    path("live/sessions/<int:session_id>/", api.LiveSessionDetailApi.as_view(), name="live-session-detail"),
    path("live/sessions/<int:session_id>/stop/", api.LiveSessionStopApi.as_view(), name="live-session-stop"),
    path("live/sessions/<int:session_id>/renew/", api.LiveSessionRenewApi.as_view(), name="live-session-renew"),
    path("live/sessions/<int:session_id>/readings/", api.LiveReadingListCreateApi.as_view(), name="live-reading-list"),
]
