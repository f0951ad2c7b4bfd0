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
