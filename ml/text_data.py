"""GoEmotions (Ekman grouping) for the text model: TSV parsing, the label mapping and the tokeniser.

One source for what training and inference both need: `tokenize` (with negation
marking) and `TextFeatures` (the bag of word and character n-grams) are used by
ml.text_train to build the training matrices and by ml.text to read a text, so
the two can never drift apart.

The TSV layout (no header, tab-separated): text, comma-separated label ids, comment id.
The ids index GOEMOTIONS_EKMAN (labels.txt's order). This module needs only NumPy.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.labels import EMOTIONS

# labels.txt of the monologg Ekman grouping, in id order.
GOEMOTIONS_EKMAN: tuple[str, ...] = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")
_TO_OURS = {"joy": "happiness"}
# Dataset label id -> index into EMOTIONS. Contempt (EMOTIONS' last) has no text label.
LABEL_TO_EMOTION: tuple[int, ...] = tuple(EMOTIONS.index(_TO_OURS.get(name, name)) for name in GOEMOTIONS_EKMAN)
# The seven emotions a text can carry, as indices into EMOTIONS (all but contempt), in EMOTIONS order.
TEXT_CLASSES: tuple[int, ...] = tuple(sorted(LABEL_TO_EMOTION))
TEXT_EMOTIONS: tuple[str, ...] = tuple(EMOTIONS[i] for i in TEXT_CLASSES)
NUM_TEXT_CLASSES = len(TEXT_CLASSES)


@dataclass(frozen=True)
class LabeledText:
    text: str
    labels: tuple[int, ...]  # indices into TEXT_EMOTIONS (0..6), sorted, at least one
    comment_id: str


def emotion_of_label(label_id: int) -> str:
    """Our emotion name for a GoEmotions Ekman label id ("joy" is our "happiness")."""
    if not 0 <= label_id < len(GOEMOTIONS_EKMAN):
        raise ValueError(f"unknown GoEmotions Ekman label id {label_id}")
    return EMOTIONS[LABEL_TO_EMOTION[label_id]]


def parse_tsv(path: str | Path) -> list[LabeledText]:
    """Read a GoEmotions TSV; a malformed row or an unknown label id raises ValueError naming file and line."""
    rows: list[LabeledText] = []
    with open(path, encoding="utf-8", newline="") as handle:
        for line_no, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != 3:
                raise ValueError(f"{path}:{line_no}: expected 3 tab-separated fields, got {len(fields)}")
            text, ids, comment_id = fields
            try:
                label_ids = {int(v) for v in ids.split(",")}
            except ValueError as exc:
                raise ValueError(f"{path}:{line_no}: label ids must be comma-separated integers, got {ids!r}") from exc
            unknown = sorted(i for i in label_ids if not 0 <= i < len(GOEMOTIONS_EKMAN))
            if unknown:
                raise ValueError(f"{path}:{line_no}: unknown label id {unknown[0]} (expected 0..6)")
            labels = tuple(sorted(TEXT_EMOTIONS.index(emotion_of_label(i)) for i in label_ids))
            rows.append(LabeledText(text, labels, comment_id))
    return rows


def label_matrix(rows: list[LabeledText]) -> np.ndarray:
    """(N, 7) 0/1 matrix: is this class among the row's labels."""
    y = np.zeros((len(rows), NUM_TEXT_CLASSES), np.float32)
    for i, row in enumerate(rows):
        y[i, list(row.labels)] = 1
    return y


def soft_targets(rows: list[LabeledText]) -> np.ndarray:
    """The label mass split evenly over each row's labels (rows sum to 1)."""
    y = label_matrix(rows)
    return y / y.sum(axis=1, keepdims=True)


# -- tokenisation ---------------------------------------------------------
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
# Zero-width joiners, variation selectors and skin tones carry no meaning of their own.
_INVISIBLE = re.compile("[\u200b-\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_REPEATS = re.compile(r"(.)\1{3,}")  # "soooooo" -> "sooo": one token for every length of shouting
_TOKEN = re.compile(r"\[[a-z]+\]|[^\W_]+(?:'[^\W_]+)*|[^\w\s]")
_WORD = re.compile(r"[^\W\d_]")  # a word token has a letter in it
# Negation ends at a clause-ending punctuation mark.
SCOPE_END = frozenset(".,!?;:")
NEGATORS = frozenset(
    "not no never nothing nobody none nor neither nowhere cannot without hardly barely "
    "dont cant wont isnt arent wasnt werent doesnt didnt couldnt shouldnt wouldnt havent hasnt aint".split()
)
NOT_PREFIX = "NOT_"


def normalize(text: str) -> str:
    text = _INVISIBLE.sub("", text.translate(_APOSTROPHES).lower())
    return _REPEATS.sub(r"\1\1\1", text)


def is_negator(token: str) -> bool:
    return token in NEGATORS or token.endswith("n't")


def is_word(token: str) -> bool:
    return token.startswith("[") or _WORD.search(token) is not None


def tokenize(text: str) -> list[str]:
    """Lower-cased word, emoji and punctuation tokens; words after a negator get NOT_ up to punctuation.

    "I'm not happy at all." -> ["i'm", "not", "NOT_happy", "NOT_at", "NOT_all", "."]
    """
    tokens: list[str] = []
    negated = False
    for token in _TOKEN.findall(normalize(text)):
        if token in SCOPE_END:
            negated = False
            tokens.append(token)
        elif is_negator(token):
            tokens.append(token)
            negated = True
        else:
            tokens.append(NOT_PREFIX + token if negated and is_word(token) else token)
    return tokens


def base_word(token: str) -> str:
    return token[len(NOT_PREFIX) :] if token.startswith(NOT_PREFIX) else token


# -- the bag of n-grams -----------------------------------------------------
@dataclass(frozen=True)
class FeatureSettings:
    char_min: int = 2
    char_max: int = 5
    word_bigrams: bool = True

    def as_dict(self) -> dict:
        return {"char_min": self.char_min, "char_max": self.char_max, "word_bigrams": self.word_bigrams}


def ngram_strings(tokens: list[str], settings: FeatureSettings) -> list[str]:
    """Word unigrams ("w:"), word bigrams ("b:") and character n-grams of each word ("c:"; "n:" when negated).

    A negated word's character n-grams are features of their own, or "not happy" would still
    light up every n-gram of "happy".
    """
    grams = ["w:" + t for t in tokens]
    if settings.word_bigrams:
        grams += [f"b:{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    for token in tokens:
        word = f"<{base_word(token)}>"
        kind = "n:" if token.startswith(NOT_PREFIX) else "c:"
        for n in range(settings.char_min, min(settings.char_max, len(word)) + 1):
            grams += [kind + word[i : i + n] for i in range(len(word) - n + 1)]
    return grams


class TextFeatures:
    """TF-IDF (sublinear tf, smoothed idf, L2-normalised) over a fixed n-gram vocabulary, as sparse (ids, weights)."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, words: frozenset[str], settings: FeatureSettings):
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, np.float32)
        self.words = words  # the word vocabulary: what "known word" means
        self.settings = settings

    @classmethod
    def fit(cls, texts: list[str], settings: FeatureSettings, min_df: int = 2, max_features: int = 200_000):
        df: dict[str, int] = {}
        word_counts: dict[str, int] = {}
        for text in texts:
            tokens = tokenize(text)
            for gram in set(ngram_strings(tokens, settings)):
                df[gram] = df.get(gram, 0) + 1
            for token in tokens:
                if is_word(token):
                    word_counts[base_word(token)] = word_counts.get(base_word(token), 0) + 1
        kept = sorted((g for g, c in df.items() if c >= min_df), key=lambda g: (-df[g], g))[:max_features]
        vocabulary = {g: i for i, g in enumerate(kept)}
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in kept], np.float32)
        words = frozenset(w for w, c in word_counts.items() if c >= min_df)
        return cls(vocabulary, idf, words, settings)

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray, int, int]:
        """(feature ids, weights, in-vocabulary word tokens, word tokens) for one text."""
        tokens = tokenize(text)
        counts: dict[int, int] = {}
        for gram in ngram_strings(tokens, self.settings):
            index = self.vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        ids = np.fromiter(counts.keys(), np.int32, len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        weights = (1 + np.log(tf)) * self.idf[ids]
        norm = float(np.sqrt((weights * weights).sum()))
        if norm > 0:
            weights /= norm
        word_tokens = [base_word(t) for t in tokens if is_word(t)]
        known = sum(w in self.words for w in word_tokens)
        return ids, weights, known, len(word_tokens)

    def transform(self, texts: list[str]):
        """A SciPy-free CSR triple (indptr, ids, weights) plus known and total word counts per text."""
        indptr, ids, weights, known, total = [0], [], [], [], []
        for text in texts:
            i, w, k, t = self.transform_one(text)
            ids.append(i)
            weights.append(w)
            indptr.append(indptr[-1] + len(i))
            known.append(k)
            total.append(t)
        empty = np.zeros(0, np.float32)
        return (
            np.array(indptr, np.int64),
            np.concatenate(ids or [empty]).astype(np.int32),
            np.concatenate(weights or [empty]).astype(np.float32),
            np.array(known, np.int32),
            np.array(total, np.int32),
        )


def bag_inputs(features: TextFeatures, texts: list[str], min_width: int = 1):
    """(ids, weights) padded to the longest text or `min_width` (id 0 with weight 0 adds nothing), known, total."""
    indptr, ids, weights, known, total = features.transform(texts)
    width = max(min_width, int(np.diff(indptr).max(initial=0)))
    out_ids = np.zeros((len(texts), width), np.int32)
    out_w = np.zeros((len(texts), width), np.float32)
    for row in range(len(texts)):
        a, b = indptr[row], indptr[row + 1]
        out_ids[row, : b - a], out_w[row, : b - a] = ids[a:b], weights[a:b]
    return out_ids, out_w, known, total
