from django.urls import path

from music import api

urlpatterns = [
    path("songs/", api.SongListApi.as_view(), name="song-list"),
    path("genres/", api.GenreListApi.as_view(), name="genre-list"),
    path("songs/<int:pk>/", api.SongDetailApi.as_view(), name="song-detail"),
    path("recommendations/", api.RecommendationListCreateApi.as_view(), name="recommendation-list"),
    path("recommendations/<int:pk>/", api.RecommendationDetailApi.as_view(), name="recommendation-detail"),
    path("feedback/", api.FeedbackCreateApi.as_view(), name="feedback-create"),
    path("likes/", api.LikeListApi.as_view(), name="like-list"),
    path("likes/<int:song_id>/", api.LikeDeleteApi.as_view(), name="like-delete"),
    path("playlists/", api.PlaylistListCreateApi.as_view(), name="playlist-list"),
    path("playlists/<int:pk>/", api.PlaylistDetailApi.as_view(), name="playlist-detail"),
]
