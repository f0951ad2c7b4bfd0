"""The player's third-party sources and the catalogue enrichment's, read by symphony/settings.py."""

from symphony.env import env, env_int, env_list

__all__ = [
    "PLAYER_EMBED_ORIGINS",
    "PLAYER_API_URLS",
    "PLAYER_MEDIA_SOURCES",
    "PLAYER_IMAGE_SOURCES",
    "PLAYER_CSP_SOURCES",
    "ITUNES_SEARCH_URL",
    "ITUNES_COUNTRY",
    "ITUNES_REQUESTS_PER_MINUTE",
    "ITUNES_TIMEOUT_SECONDS",
]

# The player's only third-party sources. Embeds (YouTube without cookies, Spotify) are inserted
# only after the listener clicks play; previews and artwork are what enrich_catalog stores from
# iTunes (add hosts through the environment for previews kept elsewhere). The site-wide CSP adds
# exactly PLAYER_CSP_SOURCES to its media-src, frame-src and img-src; pages with the player add
# its script-src (music.player.with_player).
PLAYER_EMBED_ORIGINS = {"youtube": "https://www.youtube-nocookie.com", "spotify": "https://open.spotify.com"}
# The providers' player APIs, which tell the page an embed's position (implicit feedback); the
# player loads one only after the listener's click on an embed of that provider.
PLAYER_API_URLS = {
    "spotify": "https://open.spotify.com/embed/iframe-api/v1",
    "youtube": "https://www.youtube.com/iframe_api",
}
PLAYER_MEDIA_SOURCES = env_list("PLAYER_MEDIA_SOURCES", "https://audio-ssl.itunes.apple.com")
PLAYER_IMAGE_SOURCES = env_list("PLAYER_IMAGE_SOURCES", "https://*.mzstatic.com")
PLAYER_CSP_SOURCES = {
    "media-src": PLAYER_MEDIA_SOURCES,
    "frame-src": list(PLAYER_EMBED_ORIGINS.values()),
    "img-src": PLAYER_IMAGE_SOURCES,
    "script-src": sorted({"/".join(url.split("/")[:3]) for url in PLAYER_API_URLS.values()}),
}
# enrich_catalog's source: the iTunes Search API (no key). Apple asks for about 20 calls a minute.
ITUNES_SEARCH_URL = env("ITUNES_SEARCH_URL", "https://itunes.apple.com/search")
ITUNES_COUNTRY = env("ITUNES_COUNTRY", "US")
ITUNES_REQUESTS_PER_MINUTE = env_int("ITUNES_REQUESTS_PER_MINUTE", 20)
ITUNES_TIMEOUT_SECONDS = env_int("ITUNES_TIMEOUT_SECONDS", 10)
