"""Curation at catalogue scale: tag sources, the review queue, bulk approval, coverage per genre
family, the import page's rules, and a song list that stays a handful of queries at 100k songs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from music.catalog.csv_format import COLUMN_HELP, GENERIC_COLUMNS
from music.models import Genre, Song
from music.tests.factories import SongFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(goal="match", is_staff=True, is_superuser=True))
    return client


def machine(title, confidence, **kwargs):
    return SongFactory(title=title, tag_source="audio", tag_confidence=confidence, tags_reviewed=False, **kwargs)


def test_the_review_queue_lists_machine_tags_least_confident_first_and_approves_them(admin_client):
    sure, unsure = machine("Sure", 0.9), machine("Unsure", 0.1)
    SongFactory(title="Curated", tag_source="curated")
    page = admin_client.get(reverse("admin:music_song_review")).content.decode()
    assert page.index("Unsure") < page.index("Sure") and "Curated" not in page
    assert "2 song(s) have machine tags" in page
    response = admin_client.post(reverse("admin:music_song_review"), {"songs": [unsure.pk]})
    assert response.status_code == 302
    unsure.refresh_from_db()
    sure.refresh_from_db()
    assert unsure.tags_reviewed and not sure.tags_reviewed and unsure.tag_source == "audio"


def test_bulk_approve_from_the_filtered_song_list(admin_client):
    songs = [machine(f"M{i}", i / 10) for i in range(5)]
    curated = SongFactory(title="Mine", tag_source="curated")
    changelist = reverse("admin:music_song_changelist")
    page = admin_client.get(changelist + "?review=waiting").content.decode()
    assert all(s.title in page for s in songs) and "Mine" not in page
    assert "audio (0%, to review)" in page  # where the tags came from, and how sure
    data = {"action": "approve_tags", "_selected_action": [s.pk for s in songs] + [curated.pk]}
    admin_client.post(changelist, data)
    assert Song.objects.filter(tags_reviewed=True).count() == 5
    assert Song.objects.get(pk=curated.pk).tag_source == "curated"


def test_adjusting_machine_tags_on_the_song_page_makes_them_curated(admin_client):
    song = machine("Adjust me", 0.2, emotions={"happiness": 0.6})
    url = reverse("admin:music_song_change", args=[song.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"w_happiness": "0.9", "w_surprise": "0.5", "genre": song.genre_id, "duration": "3:35"})
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    song.refresh_from_db()
    assert song.emotions == {"happiness": 0.9, "surprise": 0.5}
    assert (song.tag_source, song.tags_reviewed, song.tag_confidence) == ("curated", True, None)
    assert song.duration == 215  # m:ss is accepted, as in a CSV file


def test_the_add_form_takes_m_ss_and_shows_no_quadrant_before_there_is_a_song(admin_client):
    page = admin_client.get(reverse("admin:music_song_add")).content.decode()
    assert "Happy (positive, energetic)" not in page
    response = admin_client.post(
        reverse("admin:music_song_add"),
        {
            "title": "New",
            "artist": "Someone",
            "duration": "4:05",
            "active": "on",
            "w_sadness": "1",
            "valence": "0",
            "arousal": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    song = Song.objects.get(title="New")
    assert song.duration == 245 and song.tag_source == "curated"


def test_coverage_counts_songs_per_emotion_and_genre_family(admin_client):
    rock, metal = Genre.objects.get(name="rock"), Genre.objects.get(name="metal")
    SongFactory(genre=rock, emotions={"anger": 1.0})
    SongFactory(genre=metal, emotions={"anger": 0.8, "fear": 0.5})
    SongFactory(genre=metal, emotions={"anger": 0.3})
    page = admin_client.get(reverse("admin:music_song_coverage"))
    families, table = page.context["families"], page.context["table"]
    anger = next(row for row in table if row["emotion"] == "anger")
    assert anger["counts"][families.index("rock")] == 2  # metal songs count for their family
    assert "coverage-families" in page.content.decode()


def test_the_import_page_lists_every_column_keeps_the_file_after_an_error_and_offers_replace(admin_client):
    url = reverse("admin:music_song_import")
    page = admin_client.get(url).content.decode()
    assert all(f"<code>{name}</code>" in page for name in GENERIC_COLUMNS) and set(COLUMN_HELP) == set(GENERIC_COLUMNS)
    assert "Replace existing values" in page and "music/README.md" not in page
    SongFactory(title="Hello", artist="Adele", emotions={"sadness": 1.0}, tag_source="curated")
    upload = SimpleUploadedFile("songs.csv", b"title,artist,tags\nHello,Adele,happiness:1\nNew,Band,happiness:1\n")
    response = admin_client.post(url, {"file": upload, "dry_run": "on"})
    page = response.content.decode()
    assert "Using <strong>songs.csv</strong> again" in page and "kept (replace to change)" in page
    token = response.context["form"].initial["kept"]
    # The same file again, without choosing it, now replacing.
    response = admin_client.post(url, {"kept": token, "replace": "on"})
    assert response.status_code == 302
    assert Song.objects.get(title="Hello").emotions == {"happiness": 1.0} and Song.objects.count() == 2


def test_the_song_list_stays_a_few_queries_at_100k_songs(admin_client):
    genre = Genre.objects.get(name="rock")
    fields = {"genre": genre, "emotions": {"happiness": 1.0}, "tag_source": "audio", "tag_confidence": 0.5}
    songs = [Song(title=f"Song {i}", artist=f"Artist {i % 5000}", year=1950 + i % 70, **fields) for i in range(100_000)]
    for song in songs:
        song.refresh_derived()
    Song.objects.bulk_create(songs, batch_size=5000)
    changelist = reverse("admin:music_song_changelist")
    for query in (
        "",
        "?q=Song+99",
        "?review=waiting",
        "?era=1990&genre=rock",
        "?tag_source__exact=audio&tag=happiness",
    ):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(changelist + query)
        assert response.status_code == 200
        assert len(queries) <= 10, [q["sql"][:120] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(reverse("admin:music_song_review")).status_code == 200
    assert len(queries) <= 8
