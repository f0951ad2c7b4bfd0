"""The genre vocabulary: tree and paths, curation rules, the starter vocabulary and catalog."""

import csv
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from music.catalog.services import genres_seed
from music.models import LANGUAGE_RE, Genre, Song
from music.tests.factories import GenreFactory, SongFactory, load_starter_catalog

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "music" / "data"


def test_a_genre_knows_its_path_and_a_move_updates_the_paths_below_it():
    heavy = Genre.objects.create(name="heavy", parent=Genre.objects.get(name="rock"))
    doom = Genre.objects.create(name="doom", parent=heavy)
    assert doom.path == "rock/heavy/doom" and doom.names == ("rock", "heavy", "doom")
    heavy.parent = Genre.objects.get(name="electronic")
    heavy.save()
    doom.refresh_from_db()
    assert doom.path == "electronic/heavy/doom"
    heavy.name = "loud"
    heavy.save()
    assert Genre.objects.get(pk=doom.pk).path == "electronic/loud/doom"


def test_cycles_depth_and_spelling_variants_are_refused():
    rock = Genre.objects.get(name="rock")
    metal = Genre.objects.get(name="metal")
    rock.parent = metal
    with pytest.raises(ValidationError, match="under itself"):
        rock.clean()
    indie = Genre.objects.get(name="indie")  # rock/alternative/indie: already three levels
    with pytest.raises(ValidationError, match="at most 3 levels"):
        Genre(name="twee", parent=indie).clean()
    with pytest.raises(ValidationError, match="already in the vocabulary"):
        Genre(name="Hip Hop").clean()
    with pytest.raises(ValidationError):
        Genre(name="rock/pop").clean()


def test_a_genre_in_use_cannot_be_deleted():
    genre = GenreFactory(name="bluegrass", parent=Genre.objects.get(name="country"))
    SongFactory(genre=genre)
    with pytest.raises(ProtectedError):
        genre.delete()
    with pytest.raises(ProtectedError):
        Genre.objects.get(name="country").delete()


def test_seeding_the_vocabulary_is_idempotent_and_keeps_a_curators_changes():
    punk = Genre.objects.get(name="punk")
    punk.parent = None
    punk.save()
    Genre.objects.filter(name="world").delete()
    assert genres_seed() == 1
    assert genres_seed() == 0
    assert Genre.objects.get(name="punk").path == "punk"
    assert Genre.objects.get(name="world").parent is None


def test_the_vocabulary_is_small_and_nests_sub_genres_under_families():
    rows = list(csv.DictReader((DATA / "genres.csv").open(encoding="utf-8")))
    assert 20 <= len(rows) <= 60
    paths = dict(Genre.objects.values_list("name", "path"))
    assert paths["metal"] == "rock/metal" and paths["soul"] == "r&b/soul" and paths["k-pop"] == "pop/k-pop"
    assert {row["name"] for row in rows} <= set(paths)


def test_every_starter_song_has_a_vocabulary_genre_and_a_language():
    load_starter_catalog()
    songs = Song.objects.select_related("genre")
    assert songs.count() == 167
    assert not songs.filter(genre=None).exists()
    assert all(LANGUAGE_RE.match(s.language) for s in songs)
    by_title = {s.title: s for s in songs}
    assert by_title["Master of Puppets"].genres == ("rock", "metal")
    assert by_title["The Sound of Silence"].genres == ("folk",)
    assert by_title["Gangnam Style"].genres == ("pop", "k-pop") and by_title["Gangnam Style"].language == "ko"
    assert by_title["Du hast"].language == "de" and by_title["Take Five"].language == "zxx"
    assert by_title["Hotel California"].era == 1970 and by_title["Hotel California"].energy == pytest.approx(
        by_title["Hotel California"].arousal
    )
    families = {s.genres[0] for s in songs}
    assert {"rock", "pop", "folk", "r&b", "hip-hop", "electronic", "jazz", "classical", "country"} <= families
