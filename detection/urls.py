from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "detection"
urlpatterns = [
    path("feel/", views.feel, name="feel"),
    path("checkins/<int:check_in_id>/", views.check_in_detail, name="check-in"),
    path("checkins/<int:check_in_id>/correct/", views.check_in_correct, name="check-in-correct"),
    path("checkins/<int:check_in_id>/face/", views.check_in_face, name="check-in-face"),
    path("checkins/<int:check_in_id>/delete/", views.check_in_delete, name="check-in-delete"),
    # The old address of a result page (bookmarks, browser history).
    path("submissions/<int:check_in_id>/", RedirectView.as_view(pattern_name="detection:check-in", permanent=True)),
]
