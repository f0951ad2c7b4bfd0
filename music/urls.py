from django.urls import path

from music.library import views as library_views
from music.recommendation import views as recommendation_views

app_name = "music"
urlpatterns = [
    path("songs/", library_views.song_list, name="song_list"),
    path("welcome/", library_views.onboarding, name="onboarding"),
    path("preferences/", library_views.preferences_edit, name="preferences"),
    path("mood/", recommendation_views.mood_pick, name="mood_pick"),
    path("recommendations/<int:pk>/", library_views.recommendation_detail, name="recommendation_detail"),
    path("recommendations/<int:pk>/save/", library_views.recommendation_save, name="recommendation_save"),
    path("likes/", library_views.likes, name="likes"),
    path("feedback/", library_views.feedback_post, name="feedback"),
    path("playlists/", library_views.playlist_list, name="playlist_list"),
    path("playlists/<int:pk>/", library_views.playlist_detail, name="playlist_detail"),
    path("playlists/<int:pk>/delete/", library_views.playlist_remove, name="playlist_delete"),
]
