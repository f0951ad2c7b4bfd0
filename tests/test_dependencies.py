"""The dependency order (docs/architecture.md, "Apps and what each may import").

The import rules are import-linter contracts in pyproject.toml ([tool.importlinter]), which bin/test
checks with lint-imports; here they are checked too, and shown able to fail. What a contract cannot
see is the schema: a foreign key names its model in a string, not an import. That it points down
the same floors is checked here, from the contracts' own layers."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps

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


def floors_of(contract_id: str) -> list[list[str]]:
    """A layers contract's floors, top first: each a list of packages ("ml | symphony" is two)."""
    return [[name.strip() for name in layer.split("|")] for layer in CONTRACTS[contract_id]["layers"]]


def floor_of(module: str, floors: list[list[str]]) -> int | None:
    """The index of the floor holding `module` (a higher index is a lower floor), or None."""
    for index, layer in enumerate(floors):
        if any(module == name or module.startswith(f"{name}.") for name in layer):
            return index
    return None


def upward_relations(floors: list[list[str]]) -> list[str]:
    """Every foreign key or many-to-many field of our models that points at a higher floor (each
    model's floor is the module that defines it: music's models live in its areas)."""
    found = []
    for model in apps.get_models():
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            if not field.is_relation:
                continue
            here, there = floor_of(model.__module__, floors), floor_of(field.related_model.__module__, floors)
            if here is not None and there is not None and there < here:
                found.append(f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}")
    return sorted(found)


def test_foreign_keys_point_down_the_floors():
    assert upward_relations(floors_of("apps")) == []
    assert upward_relations(floors_of("music")) == []


def test_an_upward_foreign_key_is_found():
    # accounts.User is on the floor below every app: from there each app's models are upward.
    upside_down = floors_of("apps")[::-1]
    assert "detection.CheckIn.owner -> accounts.User" in upward_relations(upside_down)
    assert floor_of("django.contrib.auth.models", upside_down) is None
