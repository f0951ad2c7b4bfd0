from django.urls import path

from . import views

app_name = "live"
urlpatterns = [
    path("live/readings/<int:reading_id>/songs/", views.reading_songs, name="reading-songs"),
]
