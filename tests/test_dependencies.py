"""The dependency order (docs/architecture.md, "Apps and what each may import").

The import rules are import-linter contracts in pyproject.toml ([tool.importlinter]), which bin/test
checks with lint-imports; here they are checked too, and shown able to fail. What a contract cannot
see is the schema (a foreign key names its model in a string, not an import)."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["id"]: contract for contract in CONFIG["contracts"]}
# One import that breaks each contract: (module file, the line added to it).
WRONG_IMPORTS = {
    "apps": ("music/library/selectors.py", "from live import selectors as live_selectors"),
    "music": ("music/catalog/models.py", "from music.recommendation import recommender"),
    "ml": ("ml/labels.py", "from django.conf import settings"),
    "symphony": ("detection/views.py", "from symphony import settings"),
    "history": ("history/views.py", "from music.library.models import Recommendation"),
    "cycles": ("detection/services.py", "from . import tasks"),
}


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    # No cache: it would be written into the tree; a full run takes well under a second.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def test_each_contract_breaks_on_a_wrong_import(tmp_path):
    assert set(WRONG_IMPORTS) == set(CONTRACTS), "give every contract a wrong import"
    for package in CONFIG["root_packages"]:
        for source in (ROOT / package).rglob("*.py"):
            copy = tmp_path / source.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert lint_imports(tmp_path).returncode == 0  # the copy alone breaks nothing
    for path, line in WRONG_IMPORTS.values():
        with (tmp_path / path).open("a") as module:
            module.write(f"\n{line}\n")

    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert f"Contracts: 0 kept, {len(CONTRACTS)} broken." in result.stdout, result.stdout
