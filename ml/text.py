"""Text -> emotion probabilities, from our own model trained on GoEmotions (Ekman grouping).

    reader = get_text_reader()                 # loaded once per process, thread-safe
    reading = reader.read("this is wonderful, I love it")   # TextReading
    reading.top, reading.confidence, reading.probabilities["happiness"], reading.known_words

The model (ml.text_train) is an ensemble trained in Keras: a TF-IDF-weighted bag of word
uni-/bi-grams and character 2-5-grams with a linear softmax, and small word CNNs. All members
ship as one TFLite model (ml/models/text/text.tflite, float16 weights) run by LiteRT
(ml.runtime), one call per batch of texts; the tokeniser and the n-gram vocabulary
(vocab.json.gz, features.npz) are ml.text_data's, shared with training. Training checks the
LiteRT logits against Keras' own.

Probabilities: the members' log-probabilities are averaged with the fitted weight, a class
bias (-beta x log prior, fitted for macro-F1 on a held-out slice of train) is added, and the
temperature (fitted on the same slice, ml.calibration) divides them before the softmax.
Contempt always gets 0.0: GoEmotions' Ekman grouping has no contempt class, so the text
model cannot see it (the face model stays its only source).

Low-confidence rule: the model can only read words it has seen. With `share` = in-vocabulary
word tokens / word tokens (0 when a text has no word at all, e.g. emoji only), the
distribution is mixed with the uniform one, p = w x p + (1 - w) / 7, where
w = max(MIN_WEIGHT, min(1, (share - SHARE_NONE) / (SHARE_FULL - SHARE_NONE))): a text with
at least SHARE_FULL of its words known is read as the model reads it.
Mixing with the uniform distribution keeps the answer (the top class) and only lowers its
confidence: emoji-only text, gibberish and mostly non-English text come out below
ml.calibration.NOT_SURE_BELOW.
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.calibration import softmax
from ml.labels import EMOTIONS
from ml.runtime import load_interpreter
from ml.text_data import NUM_TEXT_CLASSES, TEXT_CLASSES, FeatureSettings, TextFeatures, bag_inputs, tokenize

TEXT_MAX_CHARS = 500  # the one source of this limit; the Django app imports it
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "text"
# For the app's data-rights registry (accounts.data_rights.register_source(**TEXT_DATA_SOURCE)); ml/ imports no Django.
TEXT_DATA_SOURCE = {
    "name": "Text emotion model training data (GoEmotions)",
    "source": "GoEmotions (Demszky et al., ACL 2020; Google Research), Reddit comments 2005-2019 with names and "
    "religions masked, in the Ekman grouping prepared by the monologg/GoEmotions-pytorch repository",
    "licence": "Apache 2.0 (google-research/goemotions; monologg/GoEmotions-pytorch)",
    "used_for": "training the model that reads the emotion in a text you write; no text of yours is ever added to it",
}
# Known-word shares between which the model's own distribution goes from ignored to trusted.
SHARE_NONE, SHARE_FULL = 0.25, 0.75
# The bag's input width: padding to it costs nothing measurable and saves re-allocating the
# interpreter for most texts (99.9% of training texts have fewer distinct n-grams).
BAG_WIDTH = 512
MIN_WEIGHT = 0.05  # keeps the model's top class when no word is known (emoji only)


class TextInvalid(ValueError):
    """A text the model will not read; the message is meant for the user."""


def text_validate(text: str) -> str:
    """The stripped text, or TextInvalid for a non-string, an empty or whitespace-only text or one that is too long."""
    if not isinstance(text, str):
        raise TextInvalid("The text must be a string of words.")
    text = text.strip()
    if not text:
        raise TextInvalid("Write a few words first.")
    if len(text) > TEXT_MAX_CHARS:
        raise TextInvalid(f"At most {TEXT_MAX_CHARS} characters: this has {len(text)}.")
    return text


@dataclass(frozen=True)
class TextReading:
    probabilities: dict[str, float]  # all EMOTIONS, in their order; contempt 0.0; sums to 1
    top: str
    confidence: float  # the calibrated probability of `top`
    known_words: int  # word tokens in the vocabulary


def confidence_weight(known: np.ndarray, total: np.ndarray) -> np.ndarray:
    """The low-confidence rule's w (module docstring) from in-vocabulary and total word counts."""
    share = np.where(total > 0, known / np.maximum(total, 1), 0.0)
    w = np.clip((share - SHARE_NONE) / (SHARE_FULL - SHARE_NONE), 0.0, 1.0)
    return np.maximum(w, MIN_WEIGHT)


class TextModel:
    """The exported ensemble run by LiteRT: texts -> (N, 7) logits over TEXT_EMOTIONS (uncalibrated).

    text.tflite takes the bag's padded n-gram ids and TF-IDF weights and the CNNs' token ids, and
    returns every member's logits side by side, (N, 7 x members), in one call.
    """

    def __init__(self, model_dir: str | Path, num_threads: int | None = 1):
        model_dir = Path(model_dir)
        self.meta = json.loads((model_dir / "text.json").read_text())
        with gzip.open(model_dir / "vocab.json.gz", "rt", encoding="utf-8") as handle:
            vocab = json.load(handle)
        with np.load(model_dir / "features.npz") as arrays:
            idf = arrays["idf"]
        settings = FeatureSettings(**self.meta["tokenizer"]["features"])
        ngrams = {g: i for i, g in enumerate(vocab["ngrams"])}
        self.features = TextFeatures(ngrams, idf, frozenset(vocab["words"]), settings)
        self.tokens = {t: i + 2 for i, t in enumerate(vocab["tokens"])}  # 0 pads, 1 is out of vocabulary
        self.max_tokens = int(self.meta["tokenizer"]["max_tokens"])
        self.members = int(self.meta["members"])
        self._interpreter = load_interpreter(model_dir / "text.tflite", num_threads)
        self._slots = {}
        for d in self._interpreter.get_input_details():
            kind = "tokens" if "tokens" in d["name"] else "weights" if "weights" in d["name"] else "ids"
            self._slots[kind] = d["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._shape: tuple[int, int] | None = None
        self._lock = threading.Lock()  # a LiteRT interpreter is not thread-safe

    def token_ids(self, texts: list[str]) -> np.ndarray:
        ids = np.zeros((len(texts), self.max_tokens), np.int32)
        for row, text in enumerate(texts):
            seq = [self.tokens.get(t, 1) for t in tokenize(text)][: self.max_tokens]
            ids[row, : len(seq)] = seq
        return ids

    def member_logits(self, texts: list[str]):
        """([bag logits, cnn logits...], known word counts, word counts)."""
        ids, weights, known, total = bag_inputs(self.features, texts, BAG_WIDTH)
        tokens = self.token_ids(texts)
        with self._lock:
            if self._shape != ids.shape:  # a batch of another size, or a text with more n-grams than BAG_WIDTH
                for kind, width in (("ids", ids.shape[1]), ("weights", ids.shape[1]), ("tokens", self.max_tokens)):
                    self._interpreter.resize_tensor_input(self._slots[kind], [len(texts), width])
                self._interpreter.allocate_tensors()
                self._shape = ids.shape
            self._interpreter.set_tensor(self._slots["ids"], ids)
            self._interpreter.set_tensor(self._slots["weights"], weights)
            self._interpreter.set_tensor(self._slots["tokens"], tokens)
            self._interpreter.invoke()
            out = self._interpreter.get_tensor(self._output).copy()
        return np.split(out, self.members, axis=1), known, total

    def logits(self, texts: list[str]):
        """The ensemble's bias-adjusted logits (before the temperature), known and total word counts."""
        members, known, total = self.member_logits(texts)
        return combine(members, self.meta["ensemble"]), known, total


def log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def combine(members: list[np.ndarray], ensemble: dict) -> np.ndarray:
    """Weighted mean of the members' log-probabilities (bag first, the CNNs share the rest) plus the class bias."""
    bag_weight = float(ensemble["bag_weight"])
    cnns = members[1:]
    mixed = bag_weight * log_softmax(members[0])
    if cnns:
        mixed = mixed + (1 - bag_weight) * sum(log_softmax(c) for c in cnns) / len(cnns)
    return mixed + np.asarray(ensemble["bias"], np.float32)


class TextReader:
    def __init__(self, model_dir: str | Path = DEFAULT_MODEL_DIR):
        self.model_dir = Path(model_dir)
        if not (self.model_dir / "text.json").is_file():
            raise FileNotFoundError(f"text model not found in {self.model_dir}")
        self.model = TextModel(self.model_dir)
        self.version: str = self.model.meta["version"]
        self.temperature = float(self.model.meta["temperature"])

    def probabilities(self, texts: list[str]):
        """(N, 7) calibrated, damped probabilities over TEXT_EMOTIONS and the known word counts (texts unchecked)."""
        logits, known, total = self.model.logits(texts)
        probs = softmax(logits, self.temperature)
        w = confidence_weight(known, total)[:, None]
        return w * probs + (1 - w) / NUM_TEXT_CLASSES, known

    def read(self, text: str) -> TextReading:
        return self.read_many([text])[0]

    def read_many(self, texts) -> list[TextReading]:
        texts = [text_validate(t) for t in texts]
        if not texts:
            return []
        probs, known = self.probabilities(texts)
        readings = []
        for row, k in zip(probs, known, strict=True):
            full = np.zeros(len(EMOTIONS))
            full[list(TEXT_CLASSES)] = row / row.sum()
            top = int(np.argmax(full))
            readings.append(
                TextReading(
                    probabilities={e: float(p) for e, p in zip(EMOTIONS, full, strict=True)},
                    top=EMOTIONS[top],
                    confidence=float(full[top]),
                    known_words=int(k),
                )
            )
        return readings


_readers: dict[str, TextReader] = {}
_readers_lock = threading.Lock()


def get_text_reader(path: str | Path | None = None) -> TextReader:
    """The process-wide reader for the model folder `path` (the shipped one by default), created on first use."""
    key = str(Path(path or DEFAULT_MODEL_DIR).resolve())
    with _readers_lock:
        if key not in _readers:
            _readers[key] = TextReader(key)
        return _readers[key]
