"""benchmarks/taste.py runs end to end at a tiny size and reports every figure per strategy."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "benchmarks" / "taste.py"


@pytest.mark.slow
def test_the_taste_simulation_reports_every_strategy_and_figure(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if k != "DATABASE_URL"}  # its own SQLite file
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", "--catalog", "starter", "--listeners", "2", "--sound-listeners", "1",
         "--lists", "3", "--last", "2", "--seeds", "2", "--popularity"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    keys = {"liked_share", "disliked_share", "mood_fit", "ndcg_at_10", "novelty"}
    assert [run["seed"] for run in figures["runs"]] == [1, 2]
    for run in figures["runs"]:
        assert set(run["strategies"]) == {"taste", "control", "popularity"}
        for strategy in run["strategies"].values():
            assert set(strategy) == {"genre", "sound"}
            assert all(keys <= set(kind) and 0 <= kind["mood_fit"] <= 1 for kind in strategy.values())
    assert {"genre_gain_points", "sound_gain_points", "mood_fit_gap", "genre_disliked_share"} <= set(figures["overall"])
    assert {"mean", "sd", "min", "max"} == set(figures["overall"]["mood_fit_gap"])
    assert "pass" in figures
