"""enrich_catalog against a local fake of the iTunes Search API: matching, resuming, dry runs,
and failures (429, 403, timeouts, bad JSON, 5xx) that must leave every song as it was."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from music.catalog import itunes
from music.catalog.enrichment import songs_enrich
from music.models import Song
from music.tests.factories import SongFactory
from music.tests.fake_itunes import FakeItunes

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    with FakeItunes() as server:
        yield server


def enrich(fake, *args, **options) -> str:
    out = io.StringIO()
    options = {"base_url": fake.url, "rate": 0, "timeout": 0.5, "stdout": out, **options}
    call_command("enrich_catalog", *args, **options)
    return out.getvalue()


def snapshot() -> dict:
    return {s.pk: model_to_dict(s) | {"updated_at": s.updated_at} for s in Song.objects.all()}


@pytest.fixture
def catalog(fake):
    hello = SongFactory(artist="Adele", title="Hello", duration=None)
    beatles = SongFactory(artist="The Beatles", title="Let It Be", duration=243)
    unknown = SongFactory(artist="Nobody Knows", title="A Song Never Recorded")
    fake.add("Adele", "Hello", seconds=295.5)
    fake.add("Adele", "Hello (Live at the NRJ Awards)", seconds=301)
    fake.add("Beatles", "Let It Be (Remastered 2009)", seconds=243.1, preview=False)
    fake.add("The Beatles", "Let It Be - Remastered 2009", seconds=243.0)
    fake.add("Nobody", "A Song", seconds=100)
    return {"hello": hello, "beatles": beatles, "unknown": unknown}


def test_it_fills_previews_artwork_duration_and_links_and_reports_unmatched(fake, catalog):
    out = enrich(fake)
    hello = Song.objects.get(pk=catalog["hello"].pk)
    studio = fake.tracks[0]
    assert hello.preview_url == studio["previewUrl"] and hello.artwork_url == studio["artworkUrl100"]
    assert hello.apple_music_id == str(studio["trackId"]) and hello.duration == 296
    assert hello.links["apple_music"] == f"https://music.apple.com/song/{studio['trackId']}"
    assert hello.enrichment == "matched" and hello.enriched_at is not None
    beatles = Song.objects.get(pk=catalog["beatles"].pk)
    # Of two versions of the same recording, the one with a preview; a curated duration stays.
    assert beatles.preview_url == fake.tracks[3]["previewUrl"] and beatles.duration == 243
    unknown = Song.objects.get(pk=catalog["unknown"].pk)
    assert unknown.enrichment == "unmatched" and unknown.preview_url == "" and unknown.artwork_url == ""
    assert "Unmatched:" in out and f"#{unknown.pk} Nobody Knows – A Song Never Recorded" in out
    assert "Looked up 3 song(s) with 3 request(s)" in out and "2 matched (2 updated), 1 unmatched" in out
    query = fake.requests[0][1]
    assert query["entity"] == "song" and query["media"] == "music" and query["term"] == "Adele Hello"


def test_ambiguous_versions_are_reported_and_never_guessed(fake):
    song = SongFactory(artist="Oasis", title="Wonderwall", duration=None)
    fake.add("Oasis", "Wonderwall", seconds=258)
    fake.add("Oasis", "Wonderwall", seconds=180, collectionName="Radio Cuts")
    out = enrich(fake)
    song.refresh_from_db()
    assert song.enrichment == "ambiguous" and song.preview_url == "" and song.duration is None
    assert "Ambiguous:" in out and "2 versions from 180s to 258s" in out
    # A known duration settles it.
    Song.objects.filter(pk=song.pk).update(duration=257)
    enrich(fake, refresh=True)
    song.refresh_from_db()
    assert song.enrichment == "matched" and song.apple_music_id == str(fake.tracks[0]["trackId"])


def test_a_second_run_resumes_and_refresh_asks_again(fake, catalog):
    enrich(fake, limit=2)
    assert len(fake.requests) == 2
    assert Song.objects.filter(enrichment="").count() == 1
    out = enrich(fake)
    assert len(fake.requests) == 3 and "2 skipped (enriched before)" in out
    enrich(fake)
    assert len(fake.requests) == 3  # nothing left to ask
    enrich(fake, refresh=True)
    assert len(fake.requests) == 6


def test_dry_run_asks_and_reports_but_writes_nothing(fake, catalog):
    before = snapshot()
    out = enrich(fake, dry_run=True)
    assert snapshot() == before
    assert out.startswith("Dry run.") or "Dry run." in out
    assert "2 matched (2 would be updated), 1 unmatched" in out


def test_progress_line_every_n_songs(fake):
    for i in range(5):
        SongFactory(artist=f"Band {i}", title=f"Tune {i}")
        fake.add(f"Band {i}", f"Tune {i}")
    out = enrich(fake, progress_every=2)
    assert [line for line in out.splitlines() if line.startswith("[")] == [
        "[2] matched 2, unmatched 0, ambiguous 0, errors 0",
        "[4] matched 4, unmatched 0, ambiguous 0, errors 0",
    ]


@pytest.mark.parametrize(
    "answer, message",
    [
        (("body", b'{"resultCount": 1, "results": [{"trackName": '), "not JSON"),
        (("body", b"<html>Service Unavailable</html>"), "not JSON"),
        (("body", b'{"resultCount": 1, "results": "Adele"}'), "no `results` list"),
        (("body", b"\xff\xfe{}"), "not JSON"),
        (("status", 500), "HTTP 500"),
        (("status", 503), "HTTP 503"),
        (("timeout", 1.5), "no answer within 0.5 s"),
    ],
)
def test_a_failed_answer_leaves_the_song_intact_and_the_run_goes_on(fake, catalog, answer, message):
    fake.script("hello", answer)
    before = snapshot()
    out = enrich(fake)
    hello = catalog["hello"].pk
    assert Song.objects.get(pk=hello) == catalog["hello"]
    assert snapshot()[hello] == before[hello]
    assert f"#{hello} Adele – Hello: " in out and message in out
    assert Song.objects.get(pk=catalog["beatles"].pk).enrichment == "matched"
    # The failed song is asked again by the next run.
    enrich(fake)
    assert Song.objects.get(pk=hello).enrichment == "matched"


def test_429_is_retried_after_the_wait_the_service_asks_for(fake, catalog):
    fake.script("hello", ("status", 429, "0"), ("status", 429, "0"))
    enrich(fake)
    assert Song.objects.get(pk=catalog["hello"].pk).enrichment == "matched"
    assert len(fake.requests) == 5


@pytest.mark.parametrize("answers", [[("status", 429, "0")] * 3, [("status", 403)]])
def test_a_refusing_service_stops_the_run_and_changes_nothing(fake, catalog, answers):
    fake.script("let it be", *answers)
    before = snapshot()
    with pytest.raises(CommandError, match="Stopped: the service refused the request .HTTP 4.... Run again to resume"):
        enrich(fake)
    after = snapshot()
    beatles, unknown = catalog["beatles"].pk, catalog["unknown"].pk
    assert after[beatles] == before[beatles] and after[unknown] == before[unknown]
    assert Song.objects.get(pk=catalog["hello"].pk).enrichment == "matched"  # done before the refusal stays
    enrich(fake)
    assert not Song.objects.filter(enrichment="").exists()


def test_a_service_that_is_down_stops_the_run_after_a_few_failures(fake):
    for i in range(8):
        SongFactory(artist=f"Band {i}", title=f"Tune {i}")
    fake.always = ("status", 502)
    with pytest.raises(CommandError, match="5 failures in a row"):
        enrich(fake)
    assert len(fake.requests) == 5 and not Song.objects.exclude(enrichment="").exists()


def test_an_unreachable_service_is_an_error_not_a_crash(catalog):
    with FakeItunes() as gone:
        url = gone.url
    out = io.StringIO()
    call_command("enrich_catalog", base_url=url, rate=0, stdout=out)
    assert "3 error(s)" in out.getvalue() and "cannot reach the service" in out.getvalue()
    assert not Song.objects.exclude(enrichment="").exists()


def test_odd_values_in_an_answer_are_ignored_not_stored(fake):
    song = SongFactory(artist="Adele", title="Hello", duration=None)
    fake.add(
        "Adele", "Hello", trackId="1; DROP TABLE", previewUrl="javascript:alert(1)", artworkUrl100="http://x/a.jpg",
        trackTimeMillis="long",
    )  # fmt: skip
    enrich(fake)
    song.refresh_from_db()
    assert song.enrichment == "matched"
    assert (song.apple_music_id, song.preview_url, song.artwork_url, song.duration) == ("", "", "", None)


def test_only_given_songs_and_bad_options(fake, catalog):
    enrich(fake, song_ids=[catalog["hello"].pk])
    assert list(Song.objects.exclude(enrichment="").values_list("pk", flat=True)) == [catalog["hello"].pk]
    with pytest.raises(CommandError, match="No song with id 999999"):
        enrich(fake, song_ids=[999999])
    with pytest.raises(CommandError, match="--limit cannot be negative"):
        enrich(fake, limit=-1)


def test_the_base_url_comes_from_settings(fake, catalog, settings):
    settings.ITUNES_SEARCH_URL = fake.url
    call_command("enrich_catalog", rate=0, stdout=io.StringIO())
    assert len(fake.requests) == 3


def paced_client(url, **options):
    """A client on a fake clock: `waits` lists every pause it takes, and no test waits for real."""
    now, waits = [0.0], []

    def sleep(seconds):
        waits.append(round(seconds, 3))
        now[0] += seconds

    return itunes.Client(url, timeout=1, sleep=sleep, clock=lambda: now[0], **options), waits


def test_requests_are_paced_to_the_rate_limit(fake, catalog):
    client, waits = paced_client(fake.url, per_minute=20)
    report = songs_enrich(client=client)
    assert report.requests == 3 and waits == [3.0, 3.0]


def test_a_429_waits_as_long_as_the_service_asks_within_a_bound(fake, catalog):
    fake.script("hello", ("status", 429, "7"), ("status", 429, "600"))
    client, waits = paced_client(fake.url, per_minute=0, max_wait=60)
    songs_enrich(client=client)
    assert waits == [7.0, 60.0]
    assert Song.objects.get(pk=catalog["hello"].pk).enrichment == "matched"


def test_a_time_budget_leaves_the_rest_for_later(fake, catalog):
    report = songs_enrich(client=itunes.Client(fake.url, per_minute=0), time_budget=0)
    assert report.looked_up == 0 and len(report.remaining) == 3


# --- Matching rules (no service) -------------------------------------------------------------


def track(title, artist="Adele", seconds=200, preview="https://audio-ssl.itunes.apple.com/p.m4a", track_id="1"):
    return itunes.Track(track_id, title, artist, preview, "", seconds)


@pytest.mark.parametrize(
    "ours, theirs, matched",
    [
        (("Adele", "Hello"), ("Adele", "Hello"), True),
        (("ADELE", "hello"), ("Adele", "Hello"), True),
        (("The Beatles", "Help!"), ("Beatles", "Help! (Remastered 2009)"), True),
        (("Beyoncé", "Halo"), ("Beyonce", "Halo"), True),
        (("Simon & Garfunkel", "The Boxer"), ("Simon and Garfunkel", "The Boxer"), True),
        (("Queen", "Under Pressure"), ("Queen & David Bowie", "Under Pressure"), True),
        (("Daft Punk", "Get Lucky"), ("Daft Punk", "Get Lucky (feat. Pharrell Williams)"), True),
        (("Adele", "Hello"), ("Adele", "Hello (Live)"), False),
        (("Adele", "Hello"), ("Adele", "Hello - Acoustic Version"), False),
        (("Adele", "Hello"), ("Adele Tribute Band", "Hello"), False),
        (("Adele", "Hello"), ("Adele", "Hello Again"), False),
        (("Nirvana", "Lithium (Live)"), ("Nirvana", "Lithium (Live)"), True),
    ],
)
def test_matching_is_on_normalised_artist_and_title(ours, theirs, matched):
    result = itunes.match(ours[0], ours[1], None, [track(theirs[1], theirs[0])])
    assert (result.status == "matched") is matched, result.reason


def test_a_known_duration_rules_out_other_edits():
    assert itunes.match("Adele", "Hello", 295, [track("Hello", seconds=240)]).status == "ambiguous"
    assert itunes.match("Adele", "Hello", 295, [track("Hello", seconds=290)]).status == "matched"
