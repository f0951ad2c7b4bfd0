"""Accuracy and calibration regression on FER2013Valid (majority protocol), with the shipped model.

The accuracy floor is the figure in ml/MODEL_CARD.md less half a point: a
change to the preprocessing, the inference path or the model that costs
accuracy fails here. The calibrated confidence must stay honest (ECE).
"""

import pytest

from ml.evaluate import evaluate

SHIPPED_VALID_ACCURACY = 0.8762  # see ml/MODEL_CARD.md
REQUIRED_VALID_ACCURACY = 0.875  # the bar the shipped model must clear (issue 10; issue 3 asked 0.86)
REQUIRED_ECE = 0.03  # expected calibration error after calibration (issue 10)


@pytest.mark.slow
@pytest.mark.data
def test_shipped_model_keeps_its_validation_accuracy_and_honest_confidence(ferplus_dir):
    result = evaluate(ferplus_dir / "FER2013Valid")
    assert result["n"] == 3191
    assert result["accuracy"] >= SHIPPED_VALID_ACCURACY - 0.005
    assert result["accuracy"] >= REQUIRED_VALID_ACCURACY
    assert result["ece"] <= REQUIRED_ECE < result["ece_uncalibrated"]
