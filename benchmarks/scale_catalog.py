"""The generated catalogue of benchmarks/recommend_scale.py: songs drawn with numpy all at once, the
same rows for the importer's CSV and for COPY."""

import io

EMOTIONS = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")
LANGUAGES = ("en",) * 16 + ("es", "de", "fr", "pt", "ko", "zxx")
KINDS = ("like", "dislike", "played", "skipped")
KIND_P = (0.25, 0.05, 0.5, 0.2)
AUDIO = ("audio_energy", "danceability", "acousticness", "audio_valence", "tempo", "mode")
SCENE = 500  # songs per scene: runs of songs that mostly share a genre


class Catalog:
    """Generated songs, drawn with numpy all at once: the same rows for the CSV and for COPY."""

    def __init__(self, np, genres: list[str], n: int, seed: int = 1):
        from music.emotions import EMOTION_VA

        gen = np.random.default_rng(seed)
        self.genres, self.n = genres, n
        # 1 to 3 distinct emotions per song, weights 0.2-1.0 in steps of 0.01.
        count = gen.choice([1, 2, 2, 3], size=n)
        chosen = np.argsort(gen.random((n, len(EMOTIONS))), axis=1)[:, :3]
        weights = np.where(np.arange(3) < count[:, None], np.round(gen.uniform(0.2, 1.0, (n, 3)), 2), 0.0)
        self.tags = np.zeros((n, len(EMOTIONS)))
        np.put_along_axis(self.tags, chosen, weights, axis=1)
        # Each scene's genre from a long tail over the vocabulary, as real catalogues have.
        tail = 1 / np.arange(1, len(genres) + 1)
        scene = gen.choice(len(genres), size=n // SCENE + 1, p=tail / tail.sum())[np.arange(n) // SCENE]
        self.genre = np.where(gen.random(n) < 0.8, scene, gen.integers(0, len(genres), n))
        self.year = gen.integers(1960, 2025, n)
        self.language = gen.integers(0, len(LANGUAGES), n)
        self.duration = gen.integers(90, 421, n)
        # Spotify-like audio features (the taste model's sound), rounded as the shipped file has them.
        self.audio = {
            "audio_energy": np.round(np.clip(gen.normal(0.7, 0.18, n), 0, 1), 3),
            "danceability": np.round(np.clip(gen.normal(0.65, 0.15, n), 0, 1), 3),
            "acousticness": np.round(gen.beta(0.6, 2.5, n), 3),
            "audio_valence": np.round(np.clip(gen.normal(0.5, 0.23, n), 0, 1), 3),
            "tempo": np.round(np.clip(gen.normal(121, 27, n), 40, 220), 2),
            "mode": gen.integers(0, 2, n),
        }
        # One song in ten has a valence/arousal point set by hand; the rest derive it from the tags
        # as music.emotions.va_from_tags does (checked on a sample in copy_songs).
        self.manual = np.arange(n) % 10 == 0
        va = np.array([EMOTION_VA[name] for name in EMOTIONS])
        derived = np.round(self.tags @ va / self.tags.sum(axis=1, keepdims=True), 4)
        self.va = np.where(self.manual[:, None], np.round(gen.uniform(-1, 1, (n, 2)), 2), derived)

    def tags_of(self, i: int) -> dict[str, float]:
        return tags_dict(self.tags[i].tolist())


def tags_dict(row: list[float]) -> dict[str, float]:
    return {name: weight for name, weight in zip(EMOTIONS, row, strict=True) if weight}


def catalog_csv(catalog: Catalog, start: int, stop: int) -> bytes:
    out = io.StringIO()
    out.write("title,artist,album,year,genre,language,duration,tags,valence,arousal,active," + ",".join(AUDIO) + "\n")
    for i in range(start, stop):
        tags = ";".join(f"{name}:{weight:g}" for name, weight in catalog.tags_of(i).items())
        va = f"{catalog.va[i, 0]:g},{catalog.va[i, 1]:g}" if catalog.manual[i] else ","
        out.write(
            f"Track {i},Artist {i // 5},Album {i // 12},{catalog.year[i]},{catalog.genres[catalog.genre[i]]},"
            f"{LANGUAGES[catalog.language[i]]},{catalog.duration[i]},{tags},{va},true,"
            + ",".join(f"{catalog.audio[name][i]:g}" for name in AUDIO) + "\n"
        )  # fmt: skip
    return out.getvalue().encode()
