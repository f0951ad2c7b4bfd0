"""Catalog CSV import: formats, repair, idempotence, and bad input that must import nothing."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from music.catalog.csv_format import songs_to_csv
from music.catalog.importing import song_import
from music.models import Song

pytestmark = pytest.mark.django_db

HEADER = "title,artist,album,year,genre,duration,tags,valence,arousal,preview_url,active\n"
GOOD = HEADER + (
    "Someone Like You,Adele,21,2011,pop,4:45,sadness:1,,,,true\n"
    'Weightless,Marconi Union,Weightless,2011,ambient,485,"neutral:1",0.2,-0.9,https://example.org/w.mp3,yes\n'
)
DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "catalog"


def imported(text: str | bytes, **kwargs):
    return song_import(data=text.encode() if isinstance(text, str) else text, **kwargs)


def test_it_imports_the_generic_format():
    report = imported(GOOD)
    assert report.ok and (report.created, report.updated) == (2, 0)
    adele = Song.objects.get(artist="Adele")
    assert adele.duration == 285 and adele.emotions == {"sadness": 1.0} and adele.year == 2011
    assert (adele.valence, adele.arousal) == (-0.7, -0.5) and adele.quadrant == "sad"
    weightless = Song.objects.get(title="Weightless")
    assert weightless.va_manual and (weightless.valence, weightless.arousal) == (0.2, -0.9)
    assert weightless.quadrant == "relaxed" and weightless.preview_url == "https://example.org/w.mp3"


def test_reimport_keeps_curated_tags_unless_replacing_and_never_duplicates_ignoring_case_and_spacing():
    imported(GOOD)
    changed = "title,artist,tags\nSOMEONE  like you , adele,sadness:0.8;fear:0.2\n"
    report = imported(changed)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 1)
    adele = Song.objects.get(key__startswith="adele")
    assert adele.emotions == {"sadness": 1.0}  # a curator's tags stay
    assert [(c.field, c.old, c.new, c.applied) for c in report.changes if c.field == "tags"] == [
        ("tags", "sadness:1", "sadness:0.8;fear:0.2", False)
    ]
    assert "kept" in report.summary()
    report = imported(changed, replace=True)
    assert (report.created, report.updated) == (0, 1)
    assert Song.objects.count() == 2
    adele.refresh_from_db()
    assert adele.emotions == {"sadness": 0.8, "fear": 0.2}
    assert adele.album == "21"  # columns the file lacks are kept


def test_dry_run_reports_and_writes_nothing():
    report = imported(GOOD, dry_run=True)
    assert report.ok and report.created == 2 and not Song.objects.exists()


def test_mojibake_is_repaired():
    imported("title,artist,tags\nAdios Ayer,JosÃƒÂ© Padilla,neutral\n".encode())
    assert Song.objects.get().artist == "José Padilla"


def test_export_round_trips_through_import():
    imported(GOOD)
    text = "".join(songs_to_csv(Song.objects.order_by("id")))
    Song.objects.all().delete()
    assert imported(text).created == 2
    assert Song.objects.get(title="Weightless").va_manual


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("name,singer\nA,B\n", 1, "unknown columns: name, singer"),
        ("title,album\nA,B\n", 1, "missing required columns: artist"),
        (HEADER + ",Adele,,,,,,,,,\n", 2, "title is empty"),
        (HEADER + "Hello,Adele,,,,,joy:1,,,,\n", 2, "unknown emotion 'joy'"),
        (HEADER + "Hello,Adele,,,,,sadness:1.5,,,,\n", 2, "between 0 and 1"),
        (HEADER + "Hello,Adele,,,,,sadness:-0.1,,,,\n", 2, "between 0 and 1"),
        (HEADER + "Hello,Adele,,,,,sadness:lots,,,,\n", 2, "not a number"),
        (HEADER + "Hello,Adele,,nineteen,,,,,,,\n", 2, "year is not a whole number"),
        (HEADER + "Hello,Adele,,,,,,0.5,,,\n", 2, "both valence and arousal"),
        (HEADER + "Hello,Adele,,,,,,,,javascript:alert(1),\n", 2, "not an http(s) address"),
        (HEADER + "Hello,Adele,,,,,,,,,maybe\n", 2, "active must be true or false"),
        (HEADER + "Hello,Adele\n", 2, "has 2 fields but the header has 11"),
        ("title,artist\nHello,Adele\nhello,ADELE\n", 3, "same artist and title as line 2"),
        ("Index,Artist,Song,Emotion\nML1,Adele,Hello,melancholic\n", 2, "unknown mood 'melancholic'"),
        ("Index,Artist,Song,Emotion\nML1,Adele,Hello,sad\nML2,Adele,Hello,happy\n", 3, "same artist and title"),
        ("", 1, "the file is empty"),
    ],
)
def test_bad_rows_are_reported_by_line_and_nothing_is_imported(text, line, message):
    report = imported(text)
    assert not report.ok
    assert any(number == line and message in text_ for number, text_ in report.errors), report.errors
    assert not Song.objects.exists()


def test_genre_names_resolve_to_the_vocabulary_whatever_the_spelling_and_language_is_normalised():
    report = imported(
        "title,artist,genre,language\n"
        "Hey Ya!,OutKast,Hip Hop,EN\n"
        "Du hast,Rammstein,METAL,de\n"
        "Ipanema,Getz,Bossa  Nova,pt-br\n"
        "Nameless,Nobody,,\n"
    )
    assert report.ok, report.errors
    songs = {s.title: s for s in Song.objects.select_related("genre")}
    assert songs["Hey Ya!"].genre.name == "hip-hop" and songs["Hey Ya!"].language == "en"
    assert songs["Du hast"].genres == ("rock", "metal")
    assert songs["Ipanema"].genres == ("latin", "bossa nova") and songs["Ipanema"].language == "pt-BR"
    assert songs["Nameless"].genre is None and songs["Nameless"].language == ""


def test_an_unknown_genre_or_language_is_a_row_error_and_nothing_is_imported():
    report = imported("title,artist,genre,language\nA,B,pop,en\nC,D,hiphopp,en\nE,F,chillwave,en\nG,H,rock,english\n")
    assert report.errors == [
        (3, "unknown genre 'hiphopp'; did you mean 'hip-hop'? (the vocabulary is under Admin → Genres)"),
        (4, "unknown genre 'chillwave' (the vocabulary is under Admin → Genres)"),
        (5, "language must be an ISO 639 code such as en, pt-BR or zxx, got 'english'"),
    ]
    assert not Song.objects.exists()


def test_genre_and_language_round_trip_through_export_and_import():
    imported("title,artist,genre,language\nDu hast,Rammstein,metal,de\nTake Five,Brubeck,jazz,zxx\n")
    text = "".join(songs_to_csv(Song.objects.select_related("genre").order_by("id")))
    assert text.splitlines()[0].startswith("title,artist,album,year,genre,language,")
    Song.objects.all().delete()
    assert imported(text).created == 2
    assert dict(Song.objects.values_list("title", "genre__name")) == {"Du hast": "metal", "Take Five": "jazz"}
    assert dict(Song.objects.values_list("title", "language")) == {"Du hast": "de", "Take Five": "zxx"}


def test_a_bad_row_among_good_ones_blocks_the_whole_file():
    report = imported(GOOD + "Third,Someone,,,,,anger:2,,,,\n")
    assert report.errors == [(4, "weight of 'anger' must be between 0 and 1, got 2")]
    assert not Song.objects.exists()
    assert "nothing was imported" in report.summary()


def test_bad_encoding_is_a_row_error():
    data = b"title,artist,tags\nFine,Someone,happiness\nCaf\xe9 Song,Bj\xf6rk,sadness\n"
    report = imported(data)
    assert report.errors == [
        (
            3,
            "title is not valid UTF-8 text — save the file as UTF-8; artist is not valid UTF-8 text — save the file as UTF-8",
        )
    ]
    assert not Song.objects.exists()


def test_utf16_files_are_refused_with_a_hint():
    report = imported("title,artist\nHello,Adele\n".encode("utf-16"))
    assert not report.ok and "UTF-16" in report.errors[0][1]


def test_a_ten_megabyte_field_is_a_row_error_not_a_crash():
    data = (HEADER + "Fine,Someone,,,,,,,,,\n" + "x" * (10 * 1024 * 1024) + ",Adele,,,,,,,,,\n").encode()
    report = imported(data)
    assert report.errors == [(3, "title is too long (10,485,760 characters, at most 300)")]
    assert not Song.objects.exists()


def test_files_over_the_size_limit_are_refused(monkeypatch):
    monkeypatch.setattr("music.catalog.importing.MAX_IMPORT_BYTES", 1000)
    data = (HEADER + "x,y,,,,,,,,,\n" * 100).encode()
    report = imported(data)
    assert report.errors == [(1, f"the file has {len(data):,} bytes; at most 1,000 can be imported at once, split it")]
    assert not Song.objects.exists()


def test_multi_line_fields_keep_line_numbers_right():
    report = imported('title,artist,album\n"Two\nLines",A,\nOk,B,\n,C,\n')
    assert report.errors == [(5, "title is empty")]


def test_the_command_imports_and_reports_errors(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    call_command("import_songs", str(good), "--dry-run")
    assert not Song.objects.exists()
    call_command("import_songs", str(good))
    assert Song.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ",x,,,,,,,,,\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_songs", str(bad))
    assert "line 2: title is empty" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_songs", str(tmp_path / "missing.csv"))


def test_seed_catalog_loads_the_shipped_catalogue_once_playable_and_covering_every_emotion():
    """A fresh install's catalogue: at least 20,000 songs, 95% playable in the page (a Spotify id, a
    YouTube id or a preview), 300 songs or more for each emotion (weight ≥ 0.5); seeding again adds
    and changes nothing. How long it takes is benchmarks/seed_catalog.py's business."""
    out = io.StringIO()
    call_command("seed_catalog", stdout=out)
    count = Song.objects.count()
    assert count >= 20_000, out.getvalue()
    playable = Song.objects.exclude(spotify_id="", youtube_id="", preview_url="").count()
    assert playable >= 0.95 * count
    from music.catalog.selectors import coverage

    assert all(row["songs"] >= 300 for row in coverage()), coverage()
    out = io.StringIO()
    call_command("seed_catalog", stdout=out)
    assert Song.objects.count() == count
    assert f"0 song(s) were added, 0 updated, {count} unchanged" in out.getvalue()
    hand_tagged = Song.objects.get(artist="Queen", title="Don't Stop Me Now")
    assert hand_tagged.tag_source == "curated" and hand_tagged.emotions["happiness"] == 1.0
    assert hand_tagged.spotify_id and hand_tagged.audio_energy is not None


@pytest.mark.data
@pytest.mark.parametrize("name", ["MoodyLyrics.csv", "MoodyLyrics4Q.csv"])
def test_moodylyrics_files_import_with_moods_mapped_to_emotions(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data folder is not mounted next to the repository)")
    report = song_import(data=path.read_bytes())
    assert report.ok, report.errors[:5]
    assert report.format == "moodylyrics" and report.created > 1900
    again = song_import(data=path.read_bytes())
    assert again.created == again.updated == 0 and again.unchanged == report.created
    quadrants = set(Song.objects.values_list("quadrant", flat=True))
    assert quadrants == {"happy", "tense", "sad", "relaxed"}
    assert not Song.objects.filter(artist__contains="Ã").exists()  # mojibake repaired


PLAYABLE = (
    "title,artist,preview_url,artwork_url,youtube_id,spotify_id,apple_music_id,deezer_id\n"
    "Hello,Adele,https://audio-ssl.itunes.apple.com/p/1.m4a,https://is1-ssl.mzstatic.com/a/100x100bb.jpg,"
    "YQHsXMglC9A,4sPmO7WMQUAf45kwMOtONw,1051394215,116348452\n"
    "Yesterday,The Beatles,,,https://youtu.be/NrgmdOz227I,https://open.spotify.com/track/3BQHpFgAp4l80e1XslIjNI,"
    "https://music.apple.com/us/album/help/1441164426?i=1441164589,https://www.deezer.com/en/track/116348656\n"
)


def test_playable_columns_round_trip_through_export_and_import():
    report = imported(PLAYABLE)
    assert report.ok, report.errors
    adele = Song.objects.get(artist="Adele")
    assert adele.artwork_url == "https://is1-ssl.mzstatic.com/a/100x100bb.jpg"
    assert (adele.youtube_id, adele.spotify_id, adele.apple_music_id, adele.deezer_id) == (
        "YQHsXMglC9A", "4sPmO7WMQUAf45kwMOtONw", "1051394215", "116348452",
    )  # fmt: skip
    # Links in a file are stored as bare ids.
    beatles = Song.objects.get(artist="The Beatles")
    assert (beatles.youtube_id, beatles.spotify_id, beatles.apple_music_id, beatles.deezer_id) == (
        "NrgmdOz227I", "3BQHpFgAp4l80e1XslIjNI", "1441164589", "116348656",
    )  # fmt: skip
    text = "".join(songs_to_csv(Song.objects.order_by("id")))
    header = text.splitlines()[0].split(",")
    assert {"artwork_url", "youtube_id", "spotify_id", "apple_music_id", "deezer_id"} <= set(header)
    before = {s.key: (s.artwork_url, *s.provider_ids.values()) for s in Song.objects.all()}
    Song.objects.all().delete()
    assert imported(text).created == 2
    assert {s.key: (s.artwork_url, *s.provider_ids.values()) for s in Song.objects.all()} == before
    # A file without the columns keeps them, and an empty cell is "not known here", never a deletion.
    imported("title,artist,genre\nHello,Adele,soul\n")
    assert Song.objects.get(artist="Adele").youtube_id == "YQHsXMglC9A"
    imported("title,artist,youtube_id\nHello,Adele,\n", replace=True)
    assert Song.objects.get(artist="Adele").youtube_id == "YQHsXMglC9A"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Hello,Adele,,,YQHsXMglC9,,,", "youtube_id is not a valid YouTube track id"),
        ("Hello,Adele,,,YQHsXMglC9B,,,", "youtube_id is not a valid YouTube track id"),  # impossible last character
        ("Hello,Adele,,,https://vimeo.com/76979871,,,", "youtube_id is not a valid YouTube track id"),
        ("Hello,Adele,,,,4sPmO7WMQUAf45kwMOtON!,,", "spotify_id is not a valid Spotify track id"),
        ("Hello,Adele,,,,https://open.spotify.com/album/4sPmO7WMQUAf45kwMOtONw,,", "spotify_id is not a valid Spotify"),
        ("Hello,Adele,,,,,12ab,", "apple_music_id is not a valid Apple Music track id"),
        ("Hello,Adele,,,,,,0", "deezer_id is not a valid Deezer track id"),
        ("Hello,Adele,,javascript:alert(1),,,,", "artwork_url is not an http(s) address"),
    ],
)
def test_bad_provider_ids_are_reported_by_line(row, message):
    text = PLAYABLE.splitlines()[0] + "\nFine,Someone,,,,,,\n" + row + "\n"
    report = imported(text)
    assert [(line, msg[: len(message)]) for line, msg in report.errors] == [(3, message)], report.errors
    assert not Song.objects.exists()
