"""What the recommender reads and returns: a candidate song, a listener's history, a pick.
Plain Python, no Django; `music.recommendation.selectors` fills them from the database."""

from dataclasses import dataclass, field

from music.recommendation import preferences
from music.recommendation.fitting import fit
from music.recommendation.preferences import Stated
from music.recommendation.taste import Features, Observation, Sound, Taste


@dataclass(slots=True)
class Candidate:
    song_id: int
    artist: str
    artist_key: str
    emotions: dict[str, float]
    valence: float
    arousal: float
    co_likes: float = 0.0  # summed co-occurrence with the listener's likes (collaborative signal)
    genres: tuple[str, ...] = ()  # broadest first
    decade: int | None = None
    language: str = ""
    duration: int | None = None
    sound: Sound | None = None

    @property
    def features(self) -> Features:
        return Features(
            self.artist_key, self.genres, self.decade, self.language, self.arousal, self.duration, self.sound
        )


@dataclass
class History:
    """What the listener did. Song ids, artist keys and tag vectors only."""

    liked: set[int] = field(default_factory=set)
    disliked: set[int] = field(default_factory=set)
    artist_likes: dict[str, int] = field(default_factory=dict)
    artist_dislikes: dict[str, int] = field(default_factory=dict)
    artist_skips: dict[str, int] = field(default_factory=dict)
    # Mean tag vector of liked songs, and of disliked songs.
    liked_tags: dict[str, float] = field(default_factory=dict)
    disliked_tags: dict[str, float] = field(default_factory=dict)
    plays: dict[int, int] = field(default_factory=dict)
    skips: dict[int, int] = field(default_factory=dict)
    hours_since_played: dict[int, float] = field(default_factory=dict)
    # Songs of the listener's last few lists: never repeated.
    recent_list_songs: set[int] = field(default_factory=set)
    # Every song met recently, with its features: what music.recommendation.taste learns from.
    observations: list[Observation] = field(default_factory=list)
    # Warm start: what the listener said they like and avoid (music.recommendation.preferences).
    stated: Stated = field(default_factory=Stated)
    _taste: Taste | None = field(default=None, repr=False, compare=False)

    @property
    def taste(self) -> Taste:
        """The feature taste fitted to the observations and the stated likes' priors (once)."""
        if self._taste is None:
            self._taste = fit(self.observations + preferences.prior_observations(self.stated))
        return self._taste

    @property
    def learns(self) -> bool:
        """Whether there is anything for the feature taste to learn from."""
        return bool(self.observations or self.stated.likes)


@dataclass(frozen=True)
class Pick:
    song_id: int
    rank: int
    score: float
    explanation: str
