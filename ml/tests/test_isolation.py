import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ml_imports_without_django():
    code = (
        "import sys, ml.inference, ml.evaluate, ml.train, ml.data, ml.model, ml.export, ml.detector, ml.align,"
        " ml.calibration, ml.evaluate_photos, ml.evaluate_robustness, ml.ensemble;"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "assert not bad, bad; print('clean')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "clean" in result.stdout
