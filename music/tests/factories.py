import factory

from music.models import Genre, Song


class GenreFactory(factory.django.DjangoModelFactory):
    """A vocabulary genre; an existing name is reused (the migration seeds the starter vocabulary)."""

    class Meta:
        model = Genre
        django_get_or_create = ("name",)

    name = "pop"


class SongFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Song

    title = factory.Sequence(lambda n: f"Song {n}")
    artist = factory.Sequence(lambda n: f"Artist {n}")
    genre = factory.SubFactory(GenreFactory)
    year = 2000
    emotions = factory.LazyFunction(lambda: {"happiness": 1.0})


def load_starter_catalog() -> int:
    """The 167 hand-tagged starter songs (music/data/starter_catalog.csv) and the genre vocabulary: a
    small real catalogue for tests about lists. The shipped catalogue (seed_catalog) has 26,000 songs
    and is loaded only by the tests about it. Returns the number of songs added."""
    from music.catalog.building import STARTER_CATALOG
    from music.catalog.importing import song_import
    from music.catalog.services import genres_seed

    genres_seed()
    report = song_import(data=STARTER_CATALOG.read_bytes())
    assert report.ok, report.errors[:5]
    return report.created
