from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from music.catalog import selectors as catalog_selectors
from music.catalog.forms import SongSearchForm
from music.catalog.models import Song
from music.library import selectors
from music.library.forms import FeedbackForm, PlaylistNameForm, PreferencesForm
from music.library.models import Playlist, Recommendation
from music.library.services import (
    feedback_create,
    playlist_delete,
    playlist_from_recommendation,
    preferences_export,
    preferences_skip,
    preferences_update,
)
from music.player import with_player
from symphony.shortcuts import delete_confirmed


@with_player
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


@with_player
@login_required
def recommendation_detail(request, pk: int):
    recommendation = get_object_or_404(selectors.recommendation_list(user=request.user), pk=pk)
    song_ids = [item.song_id for item in recommendation.items.all()]
    context = {
        "recommendation": recommendation,
        "ratings": selectors.ratings_for(user=request.user, song_ids=song_ids),
    }
    return render(request, "music/recommendation_detail.html", context)


FEEDBACK_SAID = {"like": "Liked", "dislike": "Disliked (we will not suggest it again)", "played": "Marked as played",
                 "skipped": "Skipped"}  # fmt: skip


@login_required
@require_POST
def feedback_post(request):
    """A feedback button as a plain form post (music.js sends the same to the API without a reload);
    back to the page it came from, with a message."""
    form = FeedbackForm(request.POST)
    back = form.data.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "music:likes"
    if not form.is_valid():
        messages.error(
            request, "That feedback could not be saved: " + " ".join(form.errors.get("kind", ["bad input."]))
        )
        return redirect(back)
    values = form.cleaned_data
    song = get_object_or_404(Song, pk=values["song"], active=True)
    recommendation = None
    if values["recommendation"]:
        recommendation = get_object_or_404(Recommendation, pk=values["recommendation"], user=request.user)
    feedback_create(user=request.user, song=song, kind=values["kind"], recommendation=recommendation)
    messages.success(request, f"{FEEDBACK_SAID[values['kind']]}: “{song.title}”.")
    return redirect(back)


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


@with_player
@login_required
def likes(request):
    page = Paginator(selectors.liked_songs(user=request.user), 25).get_page(request.GET.get("page"))
    ratings = {s.pk: 1 for s in page}
    return render(request, "music/likes.html", {"page": page, "ratings": ratings})


@login_required
def playlist_list(request):
    playlists = Playlist.objects.filter(user=request.user).annotate(song_count=Count("items"))
    return render(request, "music/playlist_list.html", {"playlists": playlists})


@with_player
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


def _preferences_page(request, *, onboarding: bool):
    """Onboarding and the profile's "music taste" are one form; onboarding can be skipped."""
    prefs = selectors.preferences_get(user=request.user)
    if onboarding and prefs is not None and prefs.onboarded_at and request.method == "GET":
        return redirect(settings.AFTER_ONBOARDING_URL)  # offered once; the profile edits them later
    if request.method == "POST" and "skip" in request.POST:
        preferences_skip(user=request.user)
        messages.info(request, "Skipped. You can say what you like any time on your profile.")
        return redirect(settings.AFTER_ONBOARDING_URL)
    exported = preferences_export(prefs)
    form = PreferencesForm(
        request.POST or None, genres=catalog_selectors.genre_list(), initial=PreferencesForm.initial_from(exported)
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences_update(user=request.user, **form.changes())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("era_from" if field == "eras" else field, errors)
        else:
            messages.success(request, "Saved. Your next list follows these choices.")
            return redirect(settings.AFTER_ONBOARDING_URL if onboarding else "music:preferences")
    status = 400 if request.method == "POST" else 200
    return render(request, "music/preferences.html", {"form": form, "onboarding": onboarding}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request):
    return _preferences_page(request, onboarding=True)


@login_required
@require_http_methods(["GET", "POST"])
def preferences_edit(request):
    return _preferences_page(request, onboarding=False)
