from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "history"
urlpatterns = [
    path("history/", views.history_page, name="page"),
    path("history/delete/", views.history_delete, name="delete"),
    path("history/checkins/<int:check_in_id>/delete/", views.check_in_delete, name="check-in-delete"),
    # The old address of the confirmation page (before check-ins had one name).
    path(
        "history/sessions/<int:check_in_id>/delete/",
        RedirectView.as_view(pattern_name="history:check-in-delete", permanent=True),
    ),
]
