from django import template
from django.conf import settings

from music.library.selectors import preferences_get
from music.library.services import preferences_export
from music.models import Rating

register = template.Library()


@register.inclusion_tag("music/_feedback.html", takes_context=True)
def feedback_buttons(context, song, recommendation=None):
    """Like / dislike / played / skip buttons for one song; `ratings` in the context saves a query per song."""
    ratings = context.get("ratings")
    if ratings is None:
        user = context["request"].user
        ratings = dict(Rating.objects.filter(user=user, song=song).values_list("song_id", "value"))
    request = context.get("request")
    return {
        "song": song,
        "recommendation": recommendation,
        "rating": ratings.get(song.pk, 0),
        "next": request.path if request else "",  # where the form-post fallback comes back to
    }


@register.filter
def percent(value) -> str:
    return f"{float(value) * 100:.0f}%"


@register.filter
def duration(seconds) -> str:
    """215 -> "3:35"."""
    seconds = int(seconds or 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.inclusion_tag("music/_stated_preferences.html")
def stated_preferences(user):
    """The profile's summary of what the listener said they like and avoid, with the link to edit it."""
    return {"stated": preferences_export(preferences_get(user=user))}


@register.simple_tag
def player_api(provider: str) -> str:
    """The address of a provider's player API (settings.PLAYER_API_URLS), for player.js."""
    return settings.PLAYER_API_URLS.get(provider, "")
