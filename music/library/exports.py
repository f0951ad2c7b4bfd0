"""A list of songs as a playlist file (M3U8, XSPF) or as links to open it elsewhere (no database access).

Each entry points at the best place to hear the song: its preview, else a provider's track page
(YouTube, Spotify, Apple Music, Deezer, in that order), else a YouTube search. Titles and artists
are written so that no value can break out of its line (M3U8) or element (XSPF).
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from music.catalog.models import Song
from music.catalog.providers import PROVIDERS, search_links

M3U8_TYPE = "audio/x-mpegurl; charset=utf-8"
XSPF_TYPE = "application/xspf+xml; charset=utf-8"
XSPF_NS = "http://xspf.org/ns/0/"


def _one_line(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", text).strip()


def location(song: Song) -> str:
    if song.preview_url:
        return song.preview_url
    for name, track_id in song.provider_ids.items():
        return PROVIDERS[name].link(track_id)
    return search_links(song.artist, song.title)["youtube"]


def m3u8(title: str, songs: Iterable[Song]) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title)}"]
    for song in songs:
        lines.append(f"#EXTINF:{song.duration or -1},{_one_line(song.artist)} - {_one_line(song.title)}")
        if song.artwork_url:
            lines.append(f"#EXTIMG:{_one_line(song.artwork_url)}")
        lines.append(_one_line(location(song)))
    return "\n".join(lines) + "\n"


def xspf(title: str, songs: Iterable[Song]) -> bytes:
    ET.register_namespace("", XSPF_NS)
    root = ET.Element(f"{{{XSPF_NS}}}playlist", version="1")
    ET.SubElement(root, f"{{{XSPF_NS}}}title").text = _one_line(title)
    tracks = ET.SubElement(root, f"{{{XSPF_NS}}}trackList")
    for song in songs:
        track = ET.SubElement(tracks, f"{{{XSPF_NS}}}track")
        ET.SubElement(track, f"{{{XSPF_NS}}}location").text = location(song)
        ET.SubElement(track, f"{{{XSPF_NS}}}title").text = _one_line(song.title)
        ET.SubElement(track, f"{{{XSPF_NS}}}creator").text = _one_line(song.artist)
        if song.album:
            ET.SubElement(track, f"{{{XSPF_NS}}}album").text = _one_line(song.album)
        if song.duration:
            ET.SubElement(track, f"{{{XSPF_NS}}}duration").text = str(song.duration * 1000)  # milliseconds
        if song.artwork_url:
            ET.SubElement(track, f"{{{XSPF_NS}}}image").text = song.artwork_url
        links = song.links
        ET.SubElement(track, f"{{{XSPF_NS}}}info").text = links.get("apple_music") or links["youtube"]
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def open_links(songs: Iterable[Song]) -> dict[str, list[dict]]:
    """Per provider, one link per song: the track when its id is known, else a search."""
    songs = list(songs)
    result: dict[str, list[dict]] = {"youtube": [], "spotify": []}
    for song in songs:
        links = song.links
        for provider in result:
            result[provider].append(
                {"song": song.pk, "title": song.title, "artist": song.artist, "url": links[provider],
                 "exact": provider in song.provider_ids}
            )  # fmt: skip
    return result


def filename(title: str, extension: str) -> str:
    stem = re.sub(r"[^\w.-]+", "-", title, flags=re.ASCII).strip("-.")[:60] or "playlist"
    return f"{stem}.{extension}"
