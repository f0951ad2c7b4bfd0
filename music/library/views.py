from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from music.catalog import selectors as catalog_selectors
from music.catalog.forms import SongSearchForm
from music.library import selectors
from music.library.forms import PlaylistNameForm
from music.library.models import Playlist, Recommendation
from music.library.services import playlist_delete, playlist_from_recommendation
from symphony.shortcuts import delete_confirmed


@login_required
def song_list(request):
    form = SongSearchForm(request.GET or None, genres=catalog_selectors.genre_list())
    filters = form.cleaned_data if form.is_valid() else {}
    songs = catalog_selectors.song_list(
        q=filters.get("q", ""), emotion=filters.get("emotion", ""), genre=filters.get("genre", "")
    )
    page = Paginator(songs, 25).get_page(request.GET.get("page"))
    ratings = selectors.ratings_for(user=request.user, song_ids=[s.pk for s in page])
    return render(request, "music/song_list.html", {"form": form, "page": page, "ratings": ratings})


@login_required
def recommendation_detail(request, pk: int):
    recommendation = get_object_or_404(selectors.recommendation_list(user=request.user), pk=pk)
    song_ids = [item.song_id for item in recommendation.items.all()]
    context = {
        "recommendation": recommendation,
        "ratings": selectors.ratings_for(user=request.user, song_ids=song_ids),
    }
    return render(request, "music/recommendation_detail.html", context)


@login_required
@require_POST
def recommendation_save(request, pk: int):
    recommendation = get_object_or_404(Recommendation, pk=pk, user=request.user)
    form = PlaylistNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The playlist name is too long (at most 120 characters).")
        return redirect("music:recommendation_detail", pk=pk)
    try:
        playlist = playlist_from_recommendation(
            user=request.user, recommendation=recommendation, name=form.cleaned_data["name"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("music:recommendation_detail", pk=pk)
    messages.success(request, f"Saved as playlist “{playlist.name}”.")
    return redirect("music:playlist_detail", pk=playlist.pk)


@login_required
def likes(request):
    page = Paginator(selectors.liked_songs(user=request.user), 25).get_page(request.GET.get("page"))
    ratings = {s.pk: 1 for s in page}
    return render(request, "music/likes.html", {"page": page, "ratings": ratings})


@login_required
def playlist_list(request):
    playlists = Playlist.objects.filter(user=request.user).annotate(song_count=Count("items"))
    return render(request, "music/playlist_list.html", {"playlists": playlists})


@login_required
def playlist_detail(request, pk: int):
    playlist = get_object_or_404(selectors.playlist_list(user=request.user), pk=pk)
    songs = [item.song for item in playlist.items.all()]
    ratings = selectors.ratings_for(user=request.user, song_ids=[s.pk for s in songs])
    return render(request, "music/playlist_detail.html", {"playlist": playlist, "ratings": ratings})


@login_required
@require_http_methods(["GET", "POST"])
def playlist_remove(request, pk: int):
    playlist = get_object_or_404(selectors.playlist_list(user=request.user), pk=pk)
    if not delete_confirmed(request):
        return render(request, "music/playlist_confirm_delete.html", {"playlist": playlist})
    playlist_delete(playlist=playlist)
    messages.success(request, f"Deleted playlist “{playlist.name}”.")
    return redirect("music:playlist_list")
