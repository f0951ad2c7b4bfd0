"""What a page with the in-page player (templates/music/_player.html, static/js/player.js) needs
beyond the site-wide Content-Security-Policy: the providers' player API hosts for scripts
(settings.PLAYER_CSP_SOURCES["script-src"]), on those pages alone, so that no other page may
run a script from Spotify or YouTube."""

from csp.decorators import csp_update
from django.conf import settings

with_player = csp_update({"script-src": settings.PLAYER_CSP_SOURCES["script-src"]})
