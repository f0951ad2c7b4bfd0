"""The docs a newcomer reads: a README short enough to read, no tracker references they cannot
follow, and a module list in docs/architecture.md that matches the tree (read at test time, so a
new module fails here until its line is added)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Installed or generated folders hold other projects' markdown.
SKIP = {".venv", "node_modules", "staticfiles", "test-artifacts", ".git", "runs", "vendor", ".peer", ".stack"}
README_MAX_WORDS = 1500
# "issue 12", "issues #3 and 4", "PR 7": anywhere, code included.
TRACKER_WORDS = re.compile(r"\b(?:issues?|pull requests?|PRs?)\s*#?\d+", re.IGNORECASE)
# "#12" outside code: not a heading ("# Title"), an HTML entity ("&#38;"), an anchor ("page#2")
# or a six- or eight-digit colour.
HASH_NUMBER = re.compile(r"(?<![\w&#/])#(?!\d{6}\b|\d{8}\b)\d+\b")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
APPS = ("accounts", "detection", "music", "history", "live", "symphony", "ml")


def _markdown_files():
    for path in sorted(ROOT.rglob("*.md")):
        if not SKIP & set(path.relative_to(ROOT).parts):
            yield path


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))  # same length and lines: offsets still point into the text


def tracker_references(text: str) -> list[tuple[int, str]]:
    """(line, reference) for each issue or pull-request number in a markdown text."""
    found = [(m.start(), m.group(0)) for m in TRACKER_WORDS.finditer(text)]
    prose = TRACKER_WORDS.sub(_blank, INLINE_CODE.sub(_blank, FENCE.sub(_blank, text)))
    found += [(m.start(), m.group(0)) for m in HASH_NUMBER.finditer(prose)]
    return sorted((text.count("\n", 0, start) + 1, match) for start, match in found)


def test_no_doc_names_an_issue_or_pull_request_number():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {match}"
        for path in _markdown_files()
        for line, match in tracker_references(path.read_text())
    ]
    assert found == [], "say what the change is, not which ticket asked for it"


def test_the_reference_check_tells_numbers_from_headings_colours_and_code():
    caught = "Fixed in issue 12.\nSee #7 and issues #3.\nPR 5 and pull request 9"
    expected = ["issue 12", "#7", "issues #3", "PR 5", "pull request 9"]
    assert [match for _, match in tracker_references(caught)] == expected
    fine = "# Title\n## H2 of 3\nH1 headings, colour #a1b2c3 or #000000, &#38;, page#2\n`#12`\n```\n#4\n```\n"
    assert tracker_references(fine) == []


def test_the_readme_has_fewer_than_1500_words():
    words = len((ROOT / "README.md").read_text().split())  # as `wc -w` counts them
    assert words < README_MAX_WORDS, f"README.md has {words} words: move detail to docs/"


def listed_modules() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("\n## Module list\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^- `([\w./-]+\.py)`", section, re.MULTILINE)


def modules_in_tree() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            if path.name == "__init__.py" and not path.read_text().strip():
                continue
            found.add("/".join(parts))
    return found


def test_every_module_in_the_architecture_list_exists():
    listed = listed_modules()
    assert listed, "docs/architecture.md has no '## Module list' of '- `path.py` — ...' lines"
    assert [path for path in listed if not (ROOT / path).is_file()] == []
    assert len(listed) == len(set(listed)), "a module is listed twice"


def test_every_module_of_the_apps_is_in_the_architecture_list():
    assert sorted(modules_in_tree() - set(listed_modules())) == [], "add these to docs/architecture.md"
