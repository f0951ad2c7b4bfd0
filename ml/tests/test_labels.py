import numpy as np
import pytest

from ml.labels import EMOTIONS, majority_label, parse_label_csv, soft_target


def votes(**counts):
    names = (*EMOTIONS, "unknown", "NF")
    return np.array([counts.get(n, 0) for n in names])


def test_single_votes_are_dropped_as_outliers():
    # 4 neutral, 1 sadness, 3 anger, 2 disgust -> sadness's single vote is noise.
    assert soft_target(votes(neutral=4, sadness=1, anger=3, disgust=2)).tolist() == pytest.approx(
        [4 / 9, 0, 0, 0, 3 / 9, 2 / 9, 0, 0]
    )


def test_majority_needs_more_than_half_of_the_remaining_votes():
    assert majority_label(votes(happiness=6, surprise=4)) == EMOTIONS.index("happiness")
    assert majority_label(votes(happiness=5, surprise=5)) is None
    # The single fear vote is dropped first, so 5 of 9 is a majority.
    assert majority_label(votes(neutral=5, sadness=4, fear=1)) == EMOTIONS.index("neutral")


def test_unknown_or_not_a_face_majority_has_no_label():
    assert majority_label(votes(unknown=6, neutral=4)) is None
    assert majority_label(votes(NF=10)) is None
    assert soft_target(votes(NF=8, neutral=2)) is None


def test_all_votes_outliers_means_no_label():
    assert majority_label(votes(neutral=1, happiness=1, anger=1)) is None
    assert soft_target(votes(neutral=1, happiness=1)) is None


def test_label_csv_rows_are_parsed(tmp_path):
    path = tmp_path / "label.csv"
    path.write_text('fer0000000.png,"(0, 0, 48, 48)",4,0,0,1,3,2,0,0,0,0\n')
    (row,) = parse_label_csv(path)
    assert row.filename == "fer0000000.png"
    assert row.votes.tolist() == [4, 0, 0, 1, 3, 2, 0, 0, 0, 0]


@pytest.mark.parametrize(
    "line",
    [
        'a.png,"(0, 0, 48, 48)",1,2,3\n',
        'a.png,"(0, 0, 48, 48)",x,0,0,0,0,0,0,0,0,0\n',
        'a.png,"(0,0,1,1)",-1,0,0,0,0,0,0,0,0,0\n',
    ],
)
def test_malformed_label_rows_name_their_line(tmp_path, line):
    path = tmp_path / "label.csv"
    path.write_text('ok.png,"(0, 0, 48, 48)",10,0,0,0,0,0,0,0,0,0\n' + line)
    with pytest.raises(ValueError, match=":2:"):
        parse_label_csv(path)
