"""The text emotion model: data, tokeniser, validation, the shipped model's behaviour and a tiny training run."""

import json
import math

import pytest

from ml import text_evaluate, text_train
from ml.calibration import NOT_SURE_BELOW
from ml.labels import EMOTIONS
from ml.text import TEXT_MAX_CHARS, TextInvalid, TextReader, TextReading, get_text_reader, text_validate
from ml.text_data import GOEMOTIONS_EKMAN, TEXT_EMOTIONS, emotion_of_label, parse_tsv, tokenize

from .conftest import REPO

GOEMOTIONS = REPO.parent / "shared" / "data" / "text" / "goemotions-ekman"


@pytest.fixture(scope="module")
def reader():
    return get_text_reader()


# -- labels and files -----------------------------------------------------
def test_label_mapping_names_joy_happiness_and_leaves_contempt_out():
    assert [emotion_of_label(i) for i in range(7)] == [
        "anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise",
    ]  # fmt: skip
    assert len(GOEMOTIONS_EKMAN) == 7
    assert "contempt" not in TEXT_EMOTIONS and set(TEXT_EMOTIONS) == set(EMOTIONS) - {"contempt"}
    with pytest.raises(ValueError, match="unknown"):
        emotion_of_label(7)


def test_parse_tsv_reads_several_labels(tmp_path):
    path = tmp_path / "ok.tsv"
    path.write_text("I love it\t3\ta1\nwow, so sad\t5,6\ta2\n\n")
    rows = parse_tsv(path)
    assert [r.text for r in rows] == ["I love it", "wow, so sad"]
    assert [[TEXT_EMOTIONS[i] for i in r.labels] for r in rows] == [["happiness"], ["surprise", "sadness"]]
    assert rows[1].comment_id == "a2"


@pytest.mark.parametrize(
    ("line", "message"),
    [("only text\t3", "expected 3"), ("text\t3,x\tid", "integers"), ("text\t9\tid", "unknown label id 9")],
)
def test_parse_tsv_names_file_and_line_of_a_bad_row(tmp_path, line, message):
    path = tmp_path / "bad.tsv"
    path.write_text(f"fine\t4\tid0\n{line}\n")
    with pytest.raises(ValueError, match=message) as caught:
        parse_tsv(path)
    assert f"{path}:2:" in str(caught.value)


# -- tokeniser --------------------------------------------------------------
def test_negation_marks_words_up_to_punctuation():
    assert tokenize("I'm not happy at all. Great!") == [
        "i'm",
        "not",
        "NOT_happy",
        "NOT_at",
        "NOT_all",
        ".",
        "great",
        "!",
    ]
    assert tokenize("I don't like it, really") == ["i", "don't", "NOT_like", "NOT_it", ",", "really"]
    assert tokenize("never SOOOOO good")[1:] == ["NOT_sooo", "NOT_good"]
    assert tokenize("dont care")[1] == "NOT_care"


def test_tokens_keep_emoji_and_masks():
    assert tokenize("[NAME] is here 😂😂") == ["[name]", "is", "here", "😂", "😂"]
    assert tokenize("it\u2019s fine \U0001f44d\U0001f3fd") == ["it's", "fine", "\U0001f44d"]


# -- validation -----------------------------------------------------------
@pytest.mark.parametrize("bad", ["", "   \n\t ", "\u3000"])
def test_text_validate_rejects_empty_and_whitespace_only(bad):
    with pytest.raises(TextInvalid, match="Write a few words first"):
        text_validate(bad)


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["a list"]])
def test_text_validate_rejects_non_strings(bad):
    with pytest.raises(TextInvalid, match="must be a string"):
        text_validate(bad)


def test_text_validate_limit_counts_characters_after_stripping():
    assert text_validate("  hello  ") == "hello"
    assert text_validate("é" * TEXT_MAX_CHARS) == "é" * 500
    assert text_validate(" " + "a" * 500 + " ") == "a" * 500
    with pytest.raises(TextInvalid) as caught:
        text_validate("a" * 501)
    assert str(caught.value) == "At most 500 characters: this has 501."
    assert issubclass(TextInvalid, ValueError)


# -- the shipped model --------------------------------------------------------
def test_reading_has_every_emotion_in_order_and_contempt_zero(reader):
    reading = reader.read("this is wonderful, I love it")
    assert isinstance(reading, TextReading)
    assert list(reading.probabilities) == list(EMOTIONS)
    assert reading.probabilities["contempt"] == 0.0
    assert math.isclose(sum(reading.probabilities.values()), 1.0, abs_tol=1e-6)
    assert reading.confidence == max(reading.probabilities.values()) == reading.probabilities[reading.top]
    assert reading.known_words == 6
    assert reader.version.startswith("text-")


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("I am so angry I can't think", "anger"),
        ("this is wonderful, I love it", "happiness"),
        ("I'm terrified of tomorrow", "fear"),
    ],
)
def test_clear_texts_come_out_as_expected_and_confident(reader, text, emotion):
    reading = reader.read(text)
    assert reading.top == emotion, reading
    assert reading.confidence >= NOT_SURE_BELOW, reading


@pytest.mark.parametrize("text", ["not happy at all", "I'm not happy", "I am not happy with this"])
def test_negated_happiness_is_not_read_as_happiness(reader, text):
    assert reader.read(text).top != "happiness"


@pytest.mark.parametrize(
    "text", ["😂😂😂", "🙂", "Je suis très fatigué aujourd'hui mais bon", "qwzx vbnmkj plorf ghtyu", "!!!"]
)
def test_texts_the_model_cannot_read_are_not_sure(reader, text):
    assert reader.read(text).confidence < NOT_SURE_BELOW


def test_read_validates_and_read_many_matches_read(reader):
    with pytest.raises(TextInvalid):
        reader.read("   ")
    texts = ["what a lovely day", "that is disgusting", "why would you do that?"]
    for many, one in zip(reader.read_many(texts), [reader.read(t) for t in texts], strict=True):
        assert many.top == one.top and many.known_words == one.known_words
        assert many.probabilities == pytest.approx(one.probabilities, abs=1e-5)
    assert reader.read_many([]) == []


def test_the_model_is_loaded_once_per_process(reader):
    model = reader.model
    reader.read("first")
    reader.read("second")
    assert get_text_reader() is reader and reader.model is model
    assert get_text_reader(str(reader.model_dir)) is reader


# -- training and evaluation ----------------------------------------------------
SYNTHETIC = {
    0: "so angry and furious, I hate this rage",
    3: "I love this, wonderful and happy day",
    4: "the meeting is at noon on the second floor",
    5: "so sad, I miss her and cry every night",
}


def write_tsv(path, n):
    lines = [f"{SYNTHETIC[k]} {i}\t{k}\tid{i}" for i in range(n) for k in [list(SYNTHETIC)[i % 4]]]
    path.write_text("\n".join(lines) + "\n")


def test_a_tiny_training_run_writes_a_model_that_reads_text(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    write_tsv(data / "train.tsv", 160)
    out = tmp_path / "model"
    args = [
        "--data",
        str(data),
        "--out",
        str(out),
        "--epochs",
        "3",
        "--cnns",
        "1",
        "--embedding",
        "8",
        "--filters",
        "8",
    ]
    assert text_train.main(args) == 0
    meta = json.loads((out / "text.json").read_text())
    assert {"version", "temperature", "ensemble", "held_out", "tokenizer"} <= set(meta)
    assert "bag epoch 1/3" in (out / "train.log").read_text()
    reading = TextReader(out).read("I love this wonderful day")
    assert reading.top in EMOTIONS and reading.probabilities["contempt"] == 0.0
    capsys.readouterr()
    assert text_evaluate.main(["--data", str(data / "train.tsv"), "--model", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"n", "accuracy", "macro_f1", "ece", "per_class_f1"} and result["n"] == 160
    assert set(result["per_class_f1"]) == set(TEXT_EMOTIONS)


def test_text_evaluate_json_shape_and_bad_files(tmp_path, capsys):
    good = tmp_path / "tiny.tsv"
    good.write_text("I love it so much\t3\ta\nthis is terrifying\t2\tb\nugh, gross\t1,0\tc\n")
    assert text_evaluate.main(["--data", str(good), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 3 and 0 <= result["accuracy"] <= 1 and 0 <= result["ece"] <= 1
    assert list(result["per_class_f1"]) == list(TEXT_EMOTIONS)
    bad = tmp_path / "bad.tsv"
    bad.write_text("no labels here\n")
    for path in (bad, tmp_path / "missing.tsv"):
        assert text_evaluate.main(["--data", str(path), "--json"]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and "cannot read" in captured.err and "Traceback" not in captured.err


@pytest.mark.data
def test_shipped_model_clears_the_bar_on_dev(reader):
    dev = GOEMOTIONS / "dev.tsv"
    if not dev.is_file():
        pytest.skip(f"GoEmotions dev.tsv not found at {dev} (../shared/data is absent on this machine)")
    rows = parse_tsv(dev)
    from ml.text_data import label_matrix

    probs, _ = reader.probabilities([r.text for r in rows])
    result = text_evaluate.scores(probs, label_matrix(rows))
    assert result["accuracy"] >= 0.66 and result["macro_f1"] >= 0.57, result
