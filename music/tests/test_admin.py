"""Admin curation: staff only; search, filters, bulk actions, inline tags, import/export, coverage."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from music.models import Genre, Song
from music.tests.factories import GenreFactory, SongFactory

pytestmark = pytest.mark.django_db

CSV = b"title,artist,tags\nHello,Adele,sadness:1\nHappy,Pharrell Williams,happiness:1\n"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(goal="match", is_staff=True, is_superuser=True))
    return client


ADMIN_URLS = ["admin:music_song_import", "admin:music_song_export", "admin:music_song_coverage"]


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_catalog_tools_are_refused_to_anonymous_and_non_staff(client, name):
    assert client.get(reverse(name)).status_code == 302  # to the admin login
    client.force_login(UserFactory(goal="match"))
    assert client.get(reverse(name)).status_code == 302
    assert (
        client.post(reverse("admin:music_song_import"), {"file": SimpleUploadedFile("a.csv", CSV)}).status_code == 302
    )
    assert not Song.objects.exists()


def test_staff_without_song_permissions_cannot_import(client):
    staff = UserFactory(goal="match", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_song"))
    client.force_login(staff)
    assert client.get(reverse("admin:music_song_coverage")).status_code == 200
    response = client.post(reverse("admin:music_song_import"), {"file": SimpleUploadedFile("a.csv", CSV)})
    assert response.status_code == 403 and not Song.objects.exists()


def test_import_in_the_admin_reports_errors_and_imports_clean_files(admin_client):
    bad = SimpleUploadedFile("bad.csv", CSV + b",Nobody,joy:1\n")
    page = admin_client.post(reverse("admin:music_song_import"), {"file": bad}).content.decode()
    assert "Line 4: title is empty" in page and "nothing was imported" in page
    assert not Song.objects.exists()
    response = admin_client.post(reverse("admin:music_song_import"), {"file": SimpleUploadedFile("ok.csv", CSV)})
    assert response.status_code == 302 and Song.objects.count() == 2


def test_export_downloads_the_generic_format(admin_client):
    SongFactory(title="Hello", artist="Adele", emotions={"sadness": 1.0})
    response = admin_client.get(reverse("admin:music_song_export"))
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv" and "attachment" in response["Content-Disposition"]
    assert body.splitlines()[1].startswith("Hello,Adele,,2000,pop,,,sadness:1")


def test_changelist_search_and_filters(admin_client):
    SongFactory(title="Hello", artist="Adele", emotions={"sadness": 1.0})
    SongFactory(title="Happy", artist="Pharrell", emotions={"happiness": 1.0}, genre=GenreFactory(name="soul"))
    SongFactory(title="Blank", artist="Nobody", emotions={}, active=False)
    url = reverse("admin:music_song_changelist")
    for query, expected in [
        ({"q": "adele"}, ["Hello"]),
        ({"tag": "happiness"}, ["Happy"]),
        ({"quadrant__exact": "sad"}, ["Hello"]),
        ({"genre": "soul"}, ["Happy"]),
        ({"active__exact": "0"}, ["Blank"]),
        ({"untagged": "yes"}, ["Blank"]),
    ]:
        shown = [s.title for s in admin_client.get(url, query).context["cl"].result_list]
        assert shown == expected, query


def test_bulk_actions_tag_untag_and_deactivate(admin_client):
    songs = [SongFactory(emotions={"happiness": 1.0}) for _ in range(3)]
    url = reverse("admin:music_song_changelist")
    selected = [s.pk for s in songs[:2]]
    form = admin_client.post(url, {"action": "add_tag", "_selected_action": selected})
    assert "Add tag" in form.content.decode()
    admin_client.post(
        url, {"action": "add_tag", "_selected_action": selected, "apply": "1", "emotion": "fear", "weight": "0.4"}
    )
    assert [s.emotions for s in Song.objects.order_by("id")] == [{"happiness": 1.0, "fear": 0.4}] * 2 + [
        {"happiness": 1.0}
    ]
    admin_client.post(url, {"action": "remove_tag", "_selected_action": selected, "apply": "1", "emotion": "happiness"})
    assert Song.objects.get(pk=songs[0].pk).emotions == {"fear": 0.4}
    admin_client.post(url, {"action": "deactivate", "_selected_action": selected})
    assert list(Song.objects.order_by("id").values_list("active", flat=True)) == [False, False, True]


def test_inline_tag_editing_on_the_song_page(admin_client):
    song = SongFactory(title="Hello", artist="Adele", emotions={"happiness": 1.0})
    url = reverse("admin:music_song_change", args=[song.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="w_happiness"' in page and 'value="1.0"' in page
    assert admin_client.get(reverse("admin:music_song_add")).status_code == 200
    assert admin_client.get(reverse("admin:music_song_import")).status_code == 200
    data = {"title": "Hello", "artist": "Adele", "album": "", "year": "2015", "genre": GenreFactory(name="pop").pk, "language": "en", "duration": "",
            "preview_url": "", "active": "on", "valence": "0", "arousal": "0",
            "w_sadness": "0.9", "w_fear": "0.2", "w_happiness": ""}  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    song.refresh_from_db()
    assert song.emotions == {"sadness": 0.9, "fear": 0.2} and song.quadrant == "sad"
    data["w_sadness"] = "1.5"
    assert admin_client.post(url, data).status_code == 200  # shown again with the error


def test_adding_a_duplicate_song_in_the_admin_is_refused(admin_client):
    SongFactory(title="Hello", artist="Adele")
    data = {"title": "HELLO", "artist": " adele", "active": "on", "valence": "0", "arousal": "0"}
    response = admin_client.post(reverse("admin:music_song_add"), data)
    assert response.status_code == 200 and "already in the catalog" in response.content.decode()
    assert Song.objects.count() == 1


def test_coverage_warns_where_thin(admin_client):
    for _ in range(3):
        SongFactory(emotions={"sadness": 1.0})
    page = admin_client.get(reverse("admin:music_song_coverage")).content.decode()
    assert "Thin: add or tag more sadness songs" in page
    rows = admin_client.get(reverse("admin:music_song_coverage")).context["rows"]
    assert {r["emotion"]: r["songs"] for r in rows}["sadness"] == 3


def test_genres_are_curated_in_the_admin_and_the_song_filter_includes_sub_genres(admin_client):
    rock = Genre.objects.get(name="rock")
    SongFactory(title="Heavy", genre=Genre.objects.get(name="metal"))
    SongFactory(title="Plain", genre=rock)
    SongFactory(title="Gentle", genre=Genre.objects.get(name="folk"))
    changelist = reverse("admin:music_song_changelist")
    shown = [s.title for s in admin_client.get(changelist, {"genre": "rock"}).context["cl"].result_list]
    assert sorted(shown) == ["Heavy", "Plain"]
    page = admin_client.get(reverse("admin:music_genre_changelist")).content.decode()
    assert "rock/metal" in page
    add = reverse("admin:music_genre_add")
    assert "rock › metal" in admin_client.get(add).content.decode()
    response = admin_client.post(add, {"name": "Doom", "parent": Genre.objects.get(name="metal").pk})
    assert response.status_code == 302 and Genre.objects.get(name="doom").path == "rock/metal/doom"
    change = reverse("admin:music_genre_change", args=[rock.pk])
    response = admin_client.post(change, {"name": "rock", "parent": Genre.objects.get(name="doom").pk})
    assert response.status_code == 200 and "under itself" in response.content.decode()
    assert Genre.objects.get(pk=rock.pk).parent is None


def test_listening_sources_on_the_song_page_take_ids_or_pasted_links(admin_client):
    song = SongFactory(title="Hello", artist="Adele", emotions={"sadness": 1.0})
    url = reverse("admin:music_song_change", args=[song.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="youtube_id"' in page and 'name="deezer_id"' in page and "Listening" in page
    data = {"title": "Hello", "artist": "Adele", "album": "", "year": "2015", "genre": "", "language": "",
            "duration": "", "preview_url": "https://audio-ssl.itunes.apple.com/p/1.m4a", "active": "on",
            "valence": "0", "arousal": "0", "w_sadness": "1",
            "artwork_url": "https://is1-ssl.mzstatic.com/a/100x100bb.jpg",
            "youtube_id": "https://youtu.be/YQHsXMglC9A", "spotify_id": "4sPmO7WMQUAf45kwMOtONw",
            "apple_music_id": "https://music.apple.com/us/album/hello/1051394208?i=1051394215", "deezer_id": ""}  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    song.refresh_from_db()
    assert (song.youtube_id, song.spotify_id, song.apple_music_id) == (
        "YQHsXMglC9A", "4sPmO7WMQUAf45kwMOtONw", "1051394215",
    )  # fmt: skip
    response = admin_client.post(url, data | {"spotify_id": "https://open.spotify.com/album/4sPmO7WMQUAf45kwMOtONw"})
    assert response.status_code == 200
    assert "spotify_id is not a valid Spotify track id" in response.content.decode()
    assert Song.objects.get(pk=song.pk).spotify_id == "4sPmO7WMQUAf45kwMOtONw"


def test_playable_filter_and_the_enrich_action(admin_client, settings, django_capture_on_commit_callbacks):
    from music.tests.fake_itunes import FakeItunes

    preview = SongFactory(title="Hello", artist="Adele", preview_url="https://audio-ssl.itunes.apple.com/p.m4a")
    embed = SongFactory(title="Only video", youtube_id="YQHsXMglC9A")
    bare = SongFactory(title="Let It Be", artist="The Beatles", duration=None)
    url = reverse("admin:music_song_changelist")
    for value, expected in [("preview", [preview]), ("embed", [embed]), ("none", [bare])]:
        assert list(admin_client.get(url, {"playable": value}).context["cl"].result_list) == expected
    with FakeItunes() as fake:
        fake.add("The Beatles", "Let It Be", seconds=243)
        settings.ITUNES_SEARCH_URL, settings.ITUNES_REQUESTS_PER_MINUTE = fake.url, 0
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(url, {"action": "enrich", "_selected_action": [bare.pk]}, follow=True)
    assert "Looking up 1 song(s) on iTunes" in response.content.decode()
    bare.refresh_from_db()
    assert bare.enrichment == "matched" and bare.duration == 243 and bare.preview_url


def test_the_enrich_action_refuses_a_huge_selection(admin_client, monkeypatch):
    monkeypatch.setattr("music.catalog.admin.ENRICH_MAX_SONGS", 2)
    songs = [SongFactory() for _ in range(3)]
    url = reverse("admin:music_song_changelist")
    response = admin_client.post(url, {"action": "enrich", "_selected_action": [s.pk for s in songs]}, follow=True)
    assert "Select at most 2 songs" in response.content.decode()
    assert not Song.objects.exclude(enrichment="").exists()
