"""Services against the database: recommendation lists, history, feedback, playlists, data export."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts import data_rights
from accounts.tests.factories import UserFactory
from music.catalog.services import songs_tag_add, songs_tag_remove
from music.library.models import RecommendationItem
from music.library.services import feedback_create, playlist_from_recommendation, rating_delete
from music.models import Feedback, Rating, Recommendation, Song
from music.recommendation import queries, sql
from music.recommendation.selectors import history_for
from music.recommendation.services import recommendation_create
from music.tests.factories import SongFactory

pytestmark = pytest.mark.django_db

SAD = {"sadness": 0.61, "fear": 0.25, "neutral": 0.14}


@pytest.fixture
def catalog():
    songs = [SongFactory(emotions={"sadness": 1.0}) for _ in range(25)]
    songs += [SongFactory(emotions={"happiness": 1.0}) for _ in range(25)]
    songs += [SongFactory(emotions={"neutral": 1.0}) for _ in range(10)]
    return songs


def test_it_stores_every_list_and_item(catalog):
    user = UserFactory(goal="lift")
    rec = recommendation_create(user=user, emotions=SAD, detected=True, seed=3)
    rec = Recommendation.objects.get(pk=rec.pk)
    assert (rec.user, rec.goal, rec.seed) == (user, "lift", 3)
    assert rec.emotions["sadness"] == pytest.approx(0.61)
    items = list(rec.items.all())
    assert [i.rank for i in items] == list(range(1, 11))
    assert all(i.explanation.startswith("you look sad (61%) · goal: lift") for i in items)
    assert items[0].song.emotions == {"happiness": 1.0}


def test_a_list_is_stored_whole_or_not_at_all_and_in_a_callers_transaction_with_no_savepoint(catalog, monkeypatch):
    user = UserFactory()
    # The test runs in a transaction already, as a list made for a check-in runs in the result's.
    with CaptureQueriesContext(connection) as queries_run:
        recommendation_create(user=user, emotions=SAD)
    assert not [q["sql"] for q in queries_run.captured_queries if "SAVEPOINT" in q["sql"]]

    def broken(*args, **kwargs):
        raise IntegrityError("an item could not be written")

    monkeypatch.setattr(RecommendationItem.objects, "bulk_create", broken)
    # The caller's transaction (here a savepoint of the test's) rolls back the list with its items.
    with pytest.raises(IntegrityError), transaction.atomic():
        recommendation_create(user=user, emotions=SAD)
    assert Recommendation.objects.filter(user=user).count() == 1


def test_goal_argument_overrides_the_profile_and_a_mood_by_hand_says_you_said_it(catalog):
    rec = recommendation_create(user=UserFactory(goal="lift"), emotions={"sadness": 1}, goal="match", seed=1)
    first = rec.items.first()
    assert rec.goal == "match" and first.song.emotions == {"sadness": 1.0}
    assert first.explanation.startswith("you said you feel sad · goal: match")


@pytest.mark.parametrize(
    "emotions",
    [{"joy": 1.0}, {"sadness": -0.2}, {"sadness": 0.0}, {"sadness": "much"}, {}],
)
def test_malformed_distributions_are_refused_and_store_nothing(emotions):
    with pytest.raises(ValidationError):
        recommendation_create(user=UserFactory(goal="match"), emotions=emotions)
    assert not Recommendation.objects.exists()


def test_same_seed_same_list(catalog):
    user = UserFactory(goal="match")
    first = list(recommendation_create(user=user, emotions=SAD, seed=11).items.values_list("song_id", flat=True))
    Recommendation.objects.all().delete()  # so history does not exclude the first list's songs
    second = list(recommendation_create(user=user, emotions=SAD, seed=11).items.values_list("song_id", flat=True))
    assert first == second and len(first) == 10


def test_next_lists_do_not_repeat_recent_songs_nor_disliked_ones(catalog):
    user = UserFactory(goal="match")
    disliked = Song.objects.filter(emotions={"sadness": 1.0}).first()
    feedback_create(user=user, song=disliked, kind="dislike")
    seen = set()
    for seed in range(2):
        rec = recommendation_create(user=user, emotions={"sadness": 1.0}, seed=seed)
        songs = set(rec.items.values_list("song_id", flat=True))
        assert disliked.pk not in songs
        assert not songs & seen
        seen |= songs


def test_an_old_dislike_beyond_the_history_window_still_excludes_the_song(catalog, monkeypatch):
    monkeypatch.setattr("music.recommendation.selectors.HISTORY_RATINGS", 2)
    user = UserFactory(goal="match")
    disliked = catalog[0]
    feedback_create(user=user, song=disliked, kind="dislike")
    for song in catalog[25:30]:  # newer ratings push the dislike out of the history window
        feedback_create(user=user, song=song, kind="like")
    assert disliked.pk not in history_for(user=user).disliked
    rec = recommendation_create(user=user, emotions={"sadness": 1.0}, goal="match", seed=1)
    assert disliked.pk not in set(rec.items.values_list("song_id", flat=True))
    assert rec.items.count() == 10


def test_collaborative_scores_count_co_likes_of_similar_listeners():
    a, b, c, d = (SongFactory() for _ in range(4))
    me, twin, other = UserFactory(goal="match"), UserFactory(goal="match"), UserFactory(goal="match")
    for user, songs in ((me, [a]), (twin, [a, b, c]), (other, [a, c]), (UserFactory(goal="match"), [d])):
        for song in songs:
            feedback_create(user=user, song=song, kind="like")
    # The collaborative source of the candidate query, run on its own.
    scores = {row.song_id: float(row.score) for row in sql.rows(*queries.collaborative_sql(me.pk))}
    assert scores == {c.pk: 2.0, b.pk: 1.0}


def test_a_song_liked_by_similar_listeners_is_recommended_with_a_reason(catalog):
    me, twin = UserFactory(goal="match"), UserFactory(goal="match")
    shared, hidden_gem = catalog[0], catalog[30]  # a sad song and a happy one
    for song in (shared, hidden_gem):
        feedback_create(user=twin, song=song, kind="like")
    feedback_create(user=me, song=shared, kind="like")
    rec = recommendation_create(user=me, emotions={"sadness": 0.5, "happiness": 0.5}, seed=5)
    item = rec.items.get(song=hidden_gem)
    assert "listeners with similar taste liked it" in item.explanation


def test_feedback_keeps_one_current_rating_per_song():
    user, song = UserFactory(goal="match"), SongFactory()
    feedback_create(user=user, song=song, kind="like")
    feedback_create(user=user, song=song, kind="played")
    assert Rating.objects.get(user=user, song=song).value == 1
    feedback_create(user=user, song=song, kind="dislike")
    assert Rating.objects.get(user=user, song=song).value == -1
    assert Feedback.objects.filter(user=user).count() == 3
    rating_delete(user=user, song=song)
    assert not Rating.objects.exists()
    with pytest.raises(ValidationError):
        feedback_create(user=user, song=song, kind="love")


def test_history_reads_likes_skips_plays_and_recent_lists(catalog):
    user = UserFactory(goal="match")
    liked, skipped, played = catalog[0], catalog[1], catalog[2]
    feedback_create(user=user, song=liked, kind="like")
    feedback_create(user=user, song=skipped, kind="skipped")
    feedback_create(user=user, song=played, kind="played")
    rec = recommendation_create(user=user, emotions=SAD, seed=1)
    h = history_for(user=user)
    assert h.liked == {liked.pk} and h.artist_likes == {liked.artist_key: 1}
    assert h.skips == {skipped.pk: 1} and h.artist_skips == {skipped.artist_key: 1}
    assert played.pk in h.hours_since_played and h.hours_since_played[played.pk] < 1
    assert h.recent_list_songs == set(rec.items.values_list("song_id", flat=True))


def test_feedback_refuses_someone_elses_recommendation(catalog):
    owner, outsider = UserFactory(goal="match"), UserFactory(goal="match")
    rec = recommendation_create(user=owner, emotions=SAD, seed=1)
    with pytest.raises(ValidationError):
        feedback_create(user=outsider, song=catalog[0], kind="like", recommendation=rec)
    with pytest.raises(ValidationError):
        playlist_from_recommendation(user=outsider, recommendation=rec)


def test_saving_a_list_as_a_playlist_keeps_its_order(catalog):
    user = UserFactory(goal="match")
    rec = recommendation_create(user=user, emotions=SAD, seed=1)
    playlist = playlist_from_recommendation(user=user, recommendation=rec)
    assert list(playlist.items.values_list("song_id", flat=True)) == list(rec.items.values_list("song_id", flat=True))
    assert playlist.name.startswith("Sadness · ")


def test_bulk_tag_changes_rederive_valence_and_arousal():
    song = SongFactory(emotions={"happiness": 1.0})
    songs_tag_add(songs=Song.objects.all(), emotion="sadness", weight=1.0)
    song.refresh_from_db()
    assert song.emotions == {"happiness": 1.0, "sadness": 1.0} and song.valence == pytest.approx(0.05)
    songs_tag_remove(songs=Song.objects.all(), emotion="happiness")
    song.refresh_from_db()
    assert song.emotions == {"sadness": 1.0} and song.quadrant == "sad"
    with pytest.raises(ValidationError):
        songs_tag_add(songs=Song.objects.all(), emotion="joy")


def test_songs_are_unique_ignoring_case_and_spacing():
    SongFactory(artist="The Beatles", title="Let It Be")
    clash = Song(artist="the  beatles ", title="LET IT BE")
    with pytest.raises(ValidationError):
        clash.full_clean()


def test_data_export_holds_feedback_lists_and_playlists_and_deleting_the_user_removes_them(catalog):
    user = UserFactory(goal="match")
    feedback_create(user=user, song=catalog[0], kind="like")
    rec = recommendation_create(user=user, emotions=SAD, seed=1)
    playlist_from_recommendation(user=user, recommendation=rec)
    music = next(c for c in data_rights.contributors() if c.name == "music")
    exported = music.export(user)
    assert exported["ratings"][0]["song"] == catalog[0].pk
    assert exported["feedback"][0]["kind"] == "like"
    assert len(exported["recommendations"][0]["items"]) == 10
    assert len(exported["playlists"][0]["songs"]) == 10
    user.delete()
    assert not Recommendation.objects.exists() and not Feedback.objects.exists() and not Rating.objects.exists()


def test_history_turns_feedback_and_songs_left_alone_into_taste_observations(catalog):
    user = UserFactory()
    acted = recommendation_create(user=user, emotions=SAD, seed=1)
    untouched = recommendation_create(user=user, emotions=SAD, seed=2)
    first, second = [item.song for item in acted.items.all()[:2]]
    feedback_create(user=user, song=first, kind="played", recommendation=acted)
    # A player's events are the same kinds, with or without the list: they count the same.
    feedback_create(user=user, song=second, kind="skipped")
    feedback_create(user=user, song=second, kind="dislike")
    observations = {o.features.artist_key: o for o in history_for(user=user).observations}
    assert len(observations) == 10  # the acted-on list only: nobody looked at the other one
    assert observations[first.artist_key].plays == 1 and observations[first.artist_key].signal > 0
    assert observations[second.artist_key].signal == -1.0
    left_alone = [o for o in observations.values() if not (o.plays or o.skips or o.rating)]
    assert len(left_alone) == 8 and all(o.shown and o.signal < 0 for o in left_alone)
    assert observations[first.artist_key].features.genres == ("pop",)
    assert not {i.song.artist_key for i in untouched.items.all()} & set(observations)
