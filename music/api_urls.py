from django.urls import path

from music.catalog import api as catalog
from music.library import api as library
from music.recommendation import api as recommendation

urlpatterns = [
    path("songs/", catalog.SongListApi.as_view(), name="song-list"),
    path("genres/", catalog.GenreListApi.as_view(), name="genre-list"),
    path("songs/<int:pk>/", catalog.SongDetailApi.as_view(), name="song-detail"),
    path("songs/enrich/", catalog.SongEnrichApi.as_view(), name="song-enrich"),
    path("recommendations/", recommendation.RecommendationListCreateApi.as_view(), name="recommendation-list"),
    path("recommendations/<int:pk>/", recommendation.RecommendationDetailApi.as_view(), name="recommendation-detail"),
    path(
        "recommendations/<int:pk>/playlist.m3u8",
        library.RecommendationM3u8Api.as_view(),
        name="recommendation-m3u8",
    ),
    path(
        "recommendations/<int:pk>/playlist.xspf",
        library.RecommendationXspfApi.as_view(),
        name="recommendation-xspf",
    ),
    path("recommendations/<int:pk>/links/", library.RecommendationLinksApi.as_view(), name="recommendation-links"),
    path("feedback/", library.FeedbackCreateApi.as_view(), name="feedback-create"),
    path("likes/", library.LikeListApi.as_view(), name="like-list"),
    path("likes/<int:song_id>/", library.LikeDeleteApi.as_view(), name="like-delete"),
    path("playlists/", library.PlaylistListCreateApi.as_view(), name="playlist-list"),
    path("playlists/<int:pk>/", library.PlaylistDetailApi.as_view(), name="playlist-detail"),
    path("playlists/<int:pk>/playlist.m3u8", library.PlaylistM3u8Api.as_view(), name="playlist-m3u8"),
    path("playlists/<int:pk>/playlist.xspf", library.PlaylistXspfApi.as_view(), name="playlist-xspf"),
    path("playlists/<int:pk>/links/", library.PlaylistLinksApi.as_view(), name="playlist-links"),
    path("me/preferences/", library.MePreferencesApi.as_view(), name="me-preferences"),
    path("artists/", library.ArtistSearchApi.as_view(), name="artist-list"),
]
