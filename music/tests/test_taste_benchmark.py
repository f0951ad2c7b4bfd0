"""benchmarks/taste.py runs end to end at a tiny size and reports every figure per strategy."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "benchmarks" / "taste.py"


@pytest.mark.slow
def test_the_taste_simulation_reports_every_strategy_and_figure():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", "--listeners", "3", "--lists", "4", "--last", "2"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    keys = {"liked_share_last", "disliked_share_last", "mood_fit_last", "ndcg_at_10", "novelty"}
    assert set(figures["strategies"]) == {"taste", "control", "popularity"}
    assert all(keys <= set(strategy) for strategy in figures["strategies"].values())
    assert all(0 <= strategy["mood_fit_last"] <= 1 for strategy in figures["strategies"].values())
    assert {"liked_gain_points", "mood_fit_gap", "pass"} <= set(figures)
