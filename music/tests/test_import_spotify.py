"""The audio-features layouts (TidyTuesday/spotifyr and Kaggle's Spotify Tracks Dataset), machine
tags, genre families, the keep-unless-replace rule and the formula-safe export, on files the tests
write themselves."""

import io

import pytest
from django.core.management import CommandError, call_command

from music.catalog.csv_format import neutralise_formula, songs_to_csv
from music.catalog.importing import song_import
from music.models import Song
from music.tests.factories import SongFactory

pytestmark = pytest.mark.django_db

TIDY = (
    "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,"
    "playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,"
    "acousticness,instrumentalness,liveness,valence,tempo,duration_ms\n"
)
TIDY_ROW = "{id},{title},{artist},66,alb,Album,2019-06-14,PL,pl1,{family},{sub},0.75,{energy},6,-2.6,1,0.05,0.1,0,0.06,{valence},122.0,194754\n"
KAGGLE = (
    ",track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,"
    "speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre\n"
)
IDS = ["6f807x0ima9a1j3VPbc7VN", "0r7CVbZTWZgbTCYdfa2P31", "1z1Hg7Vb0AhHDiEmnDE79l", "75FpbthrwQmzHlBJLuGdC7"]


def tidy(*rows: dict) -> bytes:
    defaults = {"family": "edm", "sub": "electro house", "energy": 0.9, "valence": 0.8}
    return (TIDY + "".join(TIDY_ROW.format(**{**defaults, **row}) for row in rows)).encode()


def test_tidytuesday_rows_become_songs_with_ids_features_genres_and_machine_tags():
    report = song_import(
        data=tidy(
            {"id": IDS[0], "title": "Bright", "artist": "A"},
            {"id": IDS[0], "title": "Bright", "artist": "A", "family": "pop", "sub": "dance pop"},  # another playlist
            {"id": IDS[1], "title": "Gloom", "artist": "B", "family": "rock", "sub": "permanent wave",
             "energy": 0.2, "valence": 0.1},
            {"id": IDS[2], "title": "Bounce", "artist": "C", "family": "rap", "sub": "southern hip hop"},
        )
    )  # fmt: skip
    assert report.ok, report.errors
    assert report.format == "tidytuesday" and report.created == 3 and report.skipped == 1
    bright = Song.objects.select_related("genre").get(title="Bright")
    assert bright.spotify_id == IDS[0] and bright.year == 2019 and bright.duration == 195 and bright.popularity == 66
    assert bright.genres == ("electronic", "house")  # "electro house" is house, under electronic
    assert (bright.audio_valence, bright.audio_energy, bright.danceability, bright.mode) == (0.8, 0.9, 0.75, 1)
    assert bright.tag_source == "audio" and bright.needs_review and 0 <= bright.tag_confidence <= 1
    assert bright.quadrant == "happy" and max(bright.emotions.values()) >= 0.5
    gloom = Song.objects.select_related("genre").get(title="Gloom")
    assert gloom.genres == ("rock",)  # an unknown sub-genre with a clear family
    assert gloom.quadrant == "sad"
    assert Song.objects.get(title="Bounce").genres == ("hip-hop",)


def test_kaggle_layout_with_an_index_column_several_artists_and_missing_optional_columns():
    text = (
        KAGGLE
        + f"0,{IDS[0]},Artist One;Artist Two,Alb,Tune,70,200000,False,0.6,0.8,1,-5.0,0,0.05,0.2,0,0.1,0.7,120,4,j-pop\n"
    )
    report = song_import(data=text.encode())
    assert report.ok, report.errors
    tune = Song.objects.select_related("genre").get(title="Tune")
    assert tune.artist == "Artist One, Artist Two" and tune.genres == ("pop",) and tune.mode == 0
    # Only id, title, artist, valence and energy are required; other columns may be absent or empty.
    minimal = f"track_id,track_name,artists,valence,energy,track_genre,popularity\n{IDS[1]},Bare,Solo,0.3,0.4,,\n"
    report = song_import(data=minimal.encode())
    assert report.ok, report.errors
    bare = Song.objects.get(title="Bare")
    assert bare.genre is None and bare.popularity is None and bare.danceability is None and bare.tag_source == "audio"


def test_bad_rows_report_every_problem_by_line_and_import_nothing():
    report = song_import(
        data=tidy(
            {"id": "not-an-id", "title": "X", "artist": "A", "energy": "loud", "valence": 1.7},  # three problems
            {"id": IDS[1], "title": "Y", "artist": "B", "family": "polka", "sub": "oompah"},
            {"id": IDS[2], "title": "Z", "artist": "C", "family": "roc", "sub": "kraut"},
        )
    )
    assert not report.ok and Song.objects.count() == 0
    lines = dict(report.errors)
    assert "spotify_id is not a valid Spotify track id" in lines[2]
    assert "audio_energy is not a number: 'loud'" in lines[2] and "audio_valence must be between 0 and 1" in lines[2]
    assert "unknown genre 'oompah'" in lines[3]
    assert "did you mean 'rock'?" in lines[4]


def test_a_generic_row_with_three_problems_reports_all_three():
    report = song_import(data=b"title,artist,year,duration,tags\n,Someone,19x9,3:xx,joy:2\n")
    (line, message), = report.errors  # fmt: skip
    assert line == 2
    assert "title is empty" in message and "year is not a whole number" in message and "duration must be" in message
    assert "unknown emotion 'joy'" in message


def test_existing_songs_keep_curated_tags_and_edits_unless_replace_and_the_dry_run_lists_changes(tmp_path):
    SongFactory(title="Bright", artist="A", emotions={"happiness": 0.8, "neutral": 0.7}, tag_source="curated",
                duration=200, album="")  # fmt: skip
    path = tmp_path / "tracks.csv"
    path.write_bytes(tidy({"id": IDS[0], "title": "Bright", "artist": "A", "valence": 0.1, "energy": 0.1}))
    out = io.StringIO()
    call_command("import_songs", str(path), "--dry-run", stdout=out)
    assert "A – Bright: tags neutral:0.7;happiness:0.8 → " in out.getvalue()
    assert "duration 200 → 195: kept (use --replace)" in out.getvalue()
    assert "genre pop → house: kept (use --replace)" in out.getvalue()
    assert "album — → Album: changes" in out.getvalue()  # an empty field is filled
    assert Song.objects.get().album == ""  # dry run
    call_command("import_songs", str(path), stdout=io.StringIO())
    song = Song.objects.get()
    assert song.emotions == {"happiness": 0.8, "neutral": 0.7} and song.duration == 200 and song.album == "Album"
    assert song.spotify_id == IDS[0] and song.audio_valence == 0.1  # new values filled in
    call_command("import_songs", str(path), "--replace", stdout=io.StringIO())
    song.refresh_from_db()
    assert song.tag_source == "audio" and song.emotions != {"happiness": 0.8, "neutral": 0.7} and song.duration == 195


def test_unreviewed_machine_tags_are_refreshed_by_newer_machine_tags():
    song_import(data=tidy({"id": IDS[0], "title": "Bright", "artist": "A", "valence": 0.9, "energy": 0.9}))
    report = song_import(data=tidy({"id": IDS[0], "title": "Bright", "artist": "A", "valence": 0.1, "energy": 0.1}))
    assert report.updated == 1 and Song.objects.get().quadrant == "sad"
    Song.objects.update(tags_reviewed=True)  # a curator approved them: now they stay
    report = song_import(data=tidy({"id": IDS[0], "title": "Bright", "artist": "A", "valence": 0.9, "energy": 0.9}))
    assert report.kept == 1 and Song.objects.get().quadrant == "sad"


def test_export_and_import_round_trip_features_tag_sources_and_formula_cells():
    song_import(data=tidy({"id": IDS[0], "title": '=HYPERLINK("x")', "artist": "+Bad", "valence": 0.5}))
    SongFactory(title="@home", artist="-dash", emotions={"sadness": 1.0}, tag_source="curated", loudness=-7.5)
    text = "".join(songs_to_csv(Song.objects.select_related("genre").order_by("id")))
    assert "'=HYPERLINK" in text and ",'+Bad," in text and "'@home" in text and ",-7.5," in text  # numbers stay
    before = {s.key: s for s in Song.objects.all()}
    Song.objects.all().delete()
    report = song_import(data=text.encode())
    assert report.ok and report.created == 2, report.errors
    for song in Song.objects.all():
        old = before[song.key]
        for name in ("title", "artist", "emotions", "tag_source", "tag_confidence", "tags_reviewed", "spotify_id",
                     "audio_valence", "audio_energy", "danceability", "loudness", "mode", "popularity", "genre_id",
                     "valence", "arousal", "quadrant", "year", "duration"):  # fmt: skip
            assert getattr(song, name) == getattr(old, name), name


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("-7.5", "-7.5"), ("ok", "ok")],
)
def test_formula_leading_cells_are_neutralised(cell, expected):
    assert neutralise_formula(cell) == expected


def test_import_songs_refuses_a_bad_file_with_line_numbers(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(tidy({"id": IDS[0], "title": "", "artist": "A"}))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_songs", str(path))
    assert "line 2: title is empty" in capsys.readouterr().err
