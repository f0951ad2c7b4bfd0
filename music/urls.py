from django.urls import path

from music import views

app_name = "music"
urlpatterns = [
    path("songs/", views.song_list, name="song_list"),
    path("mood/", views.mood_pick, name="mood_pick"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path("recommendations/<int:pk>/save/", views.recommendation_save, name="recommendation_save"),
    path("likes/", views.likes, name="likes"),
    path("playlists/", views.playlist_list, name="playlist_list"),
    path("playlists/<int:pk>/", views.playlist_detail, name="playlist_detail"),
    path("playlists/<int:pk>/delete/", views.playlist_remove, name="playlist_delete"),
]
