import pytest

# The mood band the tests about learning and stated preferences use on the 167-song starter
# catalogue. The shipped band (recommender.MOOD_BAND) is tuned on the 26,000-song catalogue by
# benchmarks/taste.py; on 167 songs the mood-only list's floor leaves taste almost nothing to choose
# from, and those tests are about the learning path, not about the trade-off.
STARTER_MOOD_BAND = 0.1


@pytest.fixture
def starter_mood_band(monkeypatch):
    from music.recommendation import recommender

    monkeypatch.setattr(recommender, "MOOD_BAND", STARTER_MOOD_BAND)
