"""Genre names from outside files, and the build of the shipped catalogue."""

from pathlib import Path

import pytest
from django.conf import settings

from music.catalog.building import SHIPPED_CATALOG, build, read_shipped, vocabulary_rows, write
from music.catalog.csv_format import parse_catalog
from music.catalog.genres import GenreResolver, read_aliases
from music.tests.test_import_spotify import IDS, tidy

SPOTIFY = Path(settings.BASE_DIR).parent / "shared" / "data" / "catalog" / "spotify_songs.csv"


@pytest.fixture
def resolver():
    return GenreResolver(vocabulary_rows(), read_aliases())


def path_of(resolver, resolved):
    return resolver._paths[resolved.genre_id]


@pytest.mark.parametrize(
    ("name", "path", "how"),
    [
        ("Hip Hop", "hip-hop", "exact"),
        ("rap", "hip-hop", "alias"),
        ("electro house", "electronic/house", "family"),
        ("progressive electro house", "electronic/house", "family"),
        ("southern hip hop", "hip-hop", "family"),
        ("latin hip hop", "latin/latin hip hop", "exact"),
        ("album rock", "rock", "family"),
        ("neo soul", "r&b/soul/neo soul", "exact"),
    ],
)
def test_genre_names_are_read_onto_the_vocabulary(resolver, name, path, how):
    found = resolver.resolve(name)
    assert (path_of(resolver, found), found.how) == (path, how)


def test_an_unknown_genre_has_a_suggestion_and_a_family_decides_when_the_words_disagree(resolver):
    assert not resolver.resolve("polka").ok
    assert resolver.resolve("rok").suggestion == "rock"
    # "hip pop" reads as pop by its words, but the row says its family is r&b: the family wins.
    assert path_of(resolver, resolver.resolve_within("hip pop", "r&b")) == "r&b"
    assert path_of(resolver, resolver.resolve_within("electro house", "edm")) == "electronic/house"
    assert path_of(resolver, resolver.resolve_within("permanent wave", "rock")) == "rock"


def test_the_build_merges_starter_songs_keeping_their_tags_and_is_reproducible(tmp_path):
    source = tmp_path / "tracks.csv"
    source.write_bytes(
        tidy(
            {"id": IDS[0], "title": "Happy", "artist": "Pharrell Williams", "valence": 0.1, "energy": 0.1},
            {"id": IDS[1], "title": "Don't Stop Me Now - Remastered 2011", "artist": "Queen"},
            {"id": IDS[2], "title": "Unknown Tune", "artist": "Nobody", "family": "rock", "sub": "album rock"},
            {"id": IDS[2], "title": "Unknown Tune", "artist": "Nobody", "family": "pop", "sub": "dance pop"},
        )
    )
    songs, report = build(source)
    assert not report.errors and report.repeated_rows == 1
    assert (report.starter_exact, report.starter_by_base_title) == (1, 1)
    by_title = {s.title: s for s in songs}
    happy = by_title["Happy"]  # the person's tags, not the machine's reading of valence 0.1
    assert happy.emotions == {"happiness": 1.0, "surprise": 0.4} and happy.tag_source == "curated"
    assert happy.spotify_id == IDS[0] and happy.audio_valence == 0.1 and happy.genre.name == "pop"
    queen = by_title["Don't Stop Me Now"]  # the starter spelling; the track's id
    assert queen.spotify_id == IDS[1] and not queen.va_manual
    assert by_title["Unknown Tune"].tag_source == "audio" and by_title["Unknown Tune"].genre.name == "rock"
    assert len(songs) == report.songs == 167 + 1
    first, second = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz"
    write(songs, first)
    write(build(source)[0], second)
    assert first.read_bytes() == second.read_bytes()
    parsed = parse_catalog(read_shipped(first))
    assert not parsed.errors and len(parsed.rows) == 168


def test_the_shipped_catalogue_parses_and_carries_ids_features_and_tags():
    parsed = parse_catalog(read_shipped(SHIPPED_CATALOG))
    assert not parsed.errors and len(parsed.rows) >= 26_000
    with_ids = [r for r in parsed.rows if r.values.get("spotify_id")]
    assert len(with_ids) >= 0.95 * len(parsed.rows)
    assert all(r.values.get("emotions") for r in parsed.rows)
    assert all(r.values.get("audio_energy") is not None for r in with_ids)


@pytest.mark.data
@pytest.mark.slow
def test_the_shipped_catalogue_is_what_build_catalog_makes_from_the_shared_file(tmp_path):
    if not SPOTIFY.exists():
        pytest.skip(f"{SPOTIFY} is absent (the shared data folder is not mounted next to the repository)")
    songs, report = build(SPOTIFY)
    assert not report.errors
    out = tmp_path / "catalog.csv.gz"
    write(songs, out)
    assert out.read_bytes() == SHIPPED_CATALOG.read_bytes(), "music/data/catalog.csv.gz is stale: run build_catalog"
