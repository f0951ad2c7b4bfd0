"""ml.evaluate_photos on photos the test makes itself (no shared data needed)."""

import json

import cv2
import numpy as np
import pytest
from skimage import data

from ml import evaluate_photos


@pytest.fixture
def labelled(tmp_path):
    face = data.astronaut()
    cv2.imwrite(str(tmp_path / "one.jpg"), cv2.cvtColor(face, cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(tmp_path / "none.png"), np.full((200, 300, 3), 180, np.uint8))
    (tmp_path / "sub").mkdir()
    labels = tmp_path / "sub" / "labels.json"
    labels.write_text(json.dumps({"../one.jpg": {"faces": 1, "emotion": "happiness"}, "../none.png": {"faces": 1}}))
    return labels


def test_counts_and_rows(labelled):
    result = evaluate_photos.evaluate_photos(labelled)
    assert result["images"] == 2 and result["faces_expected"] == 2
    assert result["faces_found"] == 1 and result["images_exact"] == 1 and result["extra_faces"] == 0
    assert result["main_right"] == 1 and result["main_total"] == 1
    one, none = result["rows"]
    assert one["main_emotion"] == "happiness" and len(one["boxes"]) == 1
    assert none["faces_found"] == 0 and none["main_emotion"] is None


def test_dimmed_photos_still_show_the_face(labelled):
    result = evaluate_photos.evaluate_photos(labelled, brightness=0.25)
    assert result["rows"][0]["faces_found"] == 1 and result["brightness"] == 0.25


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "cannot read"),
        ("[]", "non-empty JSON object"),
        ('{"x.jpg": {"faces": -1}}', "faces"),
        ('{"x.jpg": {"faces": 1, "emotion": "joy"}}', "emotion must be one of"),
        ('{"missing.jpg": {"faces": 1}}', "no such image"),
    ],
)
def test_bad_labels_files_are_refused_with_a_message(tmp_path, capsys, content, message):
    (tmp_path / "x.jpg").write_bytes(b"")
    labels = tmp_path / "labels.json"
    labels.write_text(content)
    assert evaluate_photos.main(["--labels", str(labels), "--json"]) == 2
    assert message in capsys.readouterr().err


def test_robustness_report_on_a_small_split(tmp_path, monkeypatch):
    from ml import evaluate_robustness
    from ml.tests.test_train_smoke import make_split

    monkeypatch.setenv("ML_CACHE_DIR", str(tmp_path / "cache"))
    make_split(tmp_path / "split", 16, np.random.default_rng(0))
    result = evaluate_robustness.evaluate_robustness(tmp_path / "split")
    assert set(evaluate_robustness.PERTURBATIONS) <= set(result)
    assert all(0 <= result[name] <= 1 for name in evaluate_robustness.PERTURBATIONS)
    assert 0 <= result["detector found"] <= 1 and "found and cut by the app's detector" in result
