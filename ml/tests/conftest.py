from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FERPLUS = REPO.parent / "shared" / "data" / "ferplus"


@pytest.fixture(scope="session")
def ferplus_dir() -> Path:
    if not (FERPLUS / "FER2013Valid" / "label.csv").is_file():
        pytest.skip(f"FER+ data not found at {FERPLUS} (../shared/data is absent on this machine)")
    return FERPLUS
