from django.urls import path

from . import history_views, views

app_name = "detection"
urlpatterns = [
    path("feel/", views.feel, name="feel"),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission"),
    path("submissions/<int:submission_id>/correct/", views.submission_correct, name="submission-correct"),
    path("submissions/<int:submission_id>/face/", views.submission_face, name="submission-face"),
    path("submissions/<int:submission_id>/delete/", views.submission_delete, name="submission-delete"),
    path("history/", history_views.history_page, name="history"),
    path("history/delete/", history_views.history_delete, name="history-delete"),
    path(
        "history/sessions/<int:session_id>/delete/",
        history_views.history_session_delete,
        name="history-session-delete",
    ),
]
