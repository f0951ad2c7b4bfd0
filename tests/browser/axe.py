"""axe-core in the browser tests: `assert_accessible(page)` fails on every serious or critical
violation axe finds on the page as it is now, listing each rule and the elements that break it.

axe-core is the npm package pinned in package.json (bin/setup installs it into node_modules/).
It goes in with page.evaluate, which runs through the DevTools protocol: the site's CSP forbids
inline scripts, so Playwright's add_script_tag(content=...) would be blocked."""

from functools import cache

import pytest

from tests.browser.harness import ROOT

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def _axe_source() -> str:
    return AXE_JS.read_text()


def violations(page, disable: tuple[str, ...] = ()) -> list[dict]:
    """axe's serious and critical violations on `page`, without the rules in `disable`."""
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed ({AXE_JS.relative_to(ROOT)} is missing: run bin/setup)")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    options = {"resultTypes": ["violations"], "rules": {rule: {"enabled": False} for rule in disable}}
    results = page.evaluate("(options) => axe.run(document, options)", options)
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        lines.extend(f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"])
    return "\n".join(lines)


def assert_accessible(page, disable: tuple[str, ...] = ()) -> None:
    found = violations(page, disable)
    assert not found, f"axe found on {page.url}:\n{describe(found)}"
