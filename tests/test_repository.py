"""Repository hygiene that review found worth a test: modules stay small enough to read, and nothing
points at files a user of the repository does not have."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", "node_modules", "staticfiles", "test-artifacts", ".git", "runs"}
MAX_MODULE_LINES = 400


def _files(*suffixes):
    for path in ROOT.rglob("*"):
        if path.suffix in suffixes and not SKIP & set(path.relative_to(ROOT).parts) and path.is_file():
            yield path


def test_no_python_module_is_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n for p in _files(".py") if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, "split these modules"


def test_code_and_docs_point_outside_the_repository_only_for_the_shared_data():
    # The FER+ data and song CSVs are read from ../shared/data (never copied in); nothing else there.
    outside = []
    for path in _files(".py", ".md", ".html"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in re.finditer(r"(\.\./)?shared[/](\w*)", line):
                if match.group(1) != "../" or match.group(2) != "data":
                    outside.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert outside == []


def test_the_readme_quick_start_shows_creating_an_admin_after_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme[: readme.index("## Full stack")]
    first_block = quick_start.split("```sh", 1)[1].split("```", 1)[0].split()
    assert [word for word in first_block if word.startswith("bin/")] == ["bin/run", "bin/test"]
    assert "DEBUG=1 .venv/bin/python manage.py createsuperuser" in quick_start
    assert "PORT=8001 bin/run" in quick_start


def test_templates_live_in_one_place():
    """docs/architecture.md: every template is under the project's templates/, none inside an app."""
    apps = ("accounts", "detection", "music", "live", "history", "symphony")
    stray = [str(path) for app in apps for path in (ROOT / app).rglob("templates") if path.is_dir()]
    assert stray == []
