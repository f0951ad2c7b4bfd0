"""Live mode's one page part: the songs a reading queued, as list rows for the page to put in place."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from music.library import selectors as library_selectors
from symphony.shortcuts import object_or_404

from . import selectors


@require_GET
@login_required
def reading_songs(request, reading_id: int):
    reading = object_or_404(selectors.reading_get(user=request.user, reading_id=reading_id))
    recommendation = object_or_404(
        library_selectors.recommendation_list(user=request.user).filter(pk=reading.recommendation_id).first()
    )
    song_ids = [item.song_id for item in recommendation.items.all()]
    context = {
        "recommendation": recommendation,
        "ratings": library_selectors.ratings_for(user=request.user, song_ids=song_ids),
    }
    return render(request, "live/_queue.html", context)
