from django.urls import path

from . import views

app_name = "detection"
urlpatterns = [
    path("feel/", views.feel, name="feel"),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission"),
    path("submissions/<int:submission_id>/correct/", views.submission_correct, name="submission-correct"),
    path("submissions/<int:submission_id>/face/", views.submission_face, name="submission-face"),
    path("submissions/<int:submission_id>/delete/", views.submission_delete, name="submission-delete"),
]
