from django.urls import path

from music import api, api_listening

urlpatterns = [
    path("songs/", api.SongListApi.as_view(), name="song-list"),
    path("genres/", api.GenreListApi.as_view(), name="genre-list"),
    path("songs/<int:pk>/", api.SongDetailApi.as_view(), name="song-detail"),
    path("songs/enrich/", api_listening.SongEnrichApi.as_view(), name="song-enrich"),
    path("recommendations/", api.RecommendationListCreateApi.as_view(), name="recommendation-list"),
    path("recommendations/<int:pk>/", api.RecommendationDetailApi.as_view(), name="recommendation-detail"),
    path(
        "recommendations/<int:pk>/playlist.m3u8",
        api_listening.RecommendationM3u8Api.as_view(),
        name="recommendation-m3u8",
    ),
    path(
        "recommendations/<int:pk>/playlist.xspf",
        api_listening.RecommendationXspfApi.as_view(),
        name="recommendation-xspf",
    ),
    path(
        "recommendations/<int:pk>/links/", api_listening.RecommendationLinksApi.as_view(), name="recommendation-links"
    ),
    path("feedback/", api.FeedbackCreateApi.as_view(), name="feedback-create"),
    path("likes/", api.LikeListApi.as_view(), name="like-list"),
    path("likes/<int:song_id>/", api.LikeDeleteApi.as_view(), name="like-delete"),
    path("playlists/", api.PlaylistListCreateApi.as_view(), name="playlist-list"),
    path("playlists/<int:pk>/", api.PlaylistDetailApi.as_view(), name="playlist-detail"),
    path("playlists/<int:pk>/playlist.m3u8", api_listening.PlaylistM3u8Api.as_view(), name="playlist-m3u8"),
    path("playlists/<int:pk>/playlist.xspf", api_listening.PlaylistXspfApi.as_view(), name="playlist-xspf"),
    path("playlists/<int:pk>/links/", api_listening.PlaylistLinksApi.as_view(), name="playlist-links"),
]
