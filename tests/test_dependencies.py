"""The app dependency order (docs/architecture.md, "Apps and what each may import"), read from the source.

ml imports no app (and not Django); accounts imports no other app; music and detection do not
import live or history, live does not import history; history reads other apps only through their selectors and services (and accounts.goals, the
goal list); no import
cycle exists between our modules except the one documented lazy import (detection.services
queues detection.tasks, whose task calls the service back)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("accounts", "detection", "music", "live", "history")
PACKAGES = (*APPS, "ml", "symphony")
# symphony is the project package; apps may use its shared helpers (api, shortcuts, middleware, ...),
# never its settings (django.conf.settings is the way), URLs, WSGI entry or Celery app.
SYMPHONY_GLUE = {
    "symphony.settings",
    "symphony.settings_api",
    "symphony.settings_player",
    "symphony.urls",
    "symphony.wsgi",
    "symphony.celery",
    "symphony.env",
}
# Plain constant modules any app may read (the one source of a rule): the goal list.
SHARED_CONSTANTS = {"accounts.goals"}
ALLOWED_CYCLES = [{"detection.services", "detection.tasks"}]
# Inside music, the floors from the ground up (music/README.md): the catalogue, the listener's
# library, the recommender. Each area may import those below it, never those above.
MUSIC_AREAS = ("music.catalog", "music.library", "music.recommendation")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).parts
            if "tests" in relative or "migrations" in relative:
                continue
            yield path


def imports_of(module: str, source: str, is_package: bool = False) -> set[str]:
    """Every module `source` imports (at the top or inside functions), relative ones resolved."""
    found = set()
    base = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            prefix = base[: len(base) - node.level + 1] if node.level else []
            target = ".".join([*prefix, node.module] if node.module else prefix)
            found.add(target)
            # `from music import selectors` imports the module music.selectors.
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return found


def project_graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in _source_files()}
    graph = {}
    for module, path in files.items():
        raw = imports_of(module, path.read_text(), is_package=path.name == "__init__.py")
        graph[module] = {name for name in raw if name in files and name != module}
        if any(name.split(".")[0] == "django" for name in raw):
            graph[module].add("django")
    return graph


def _music_area(module: str) -> int | None:
    for floor, area in enumerate(MUSIC_AREAS):
        if module == area or module.startswith(area + "."):
            return floor
    return None


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in graph.items():
        app = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            here, there = _music_area(module), _music_area(target)
            if here is not None and there is not None and there > here:
                found.append(f"{module} -> {target}: {MUSIC_AREAS[here]} does not import {MUSIC_AREAS[there]}")
                continue
            # A bare package (its empty __init__): `from music.library import selectors` names it.
            if other == app or target in PACKAGES or target in MUSIC_AREAS:
                continue
            if app == "ml" and (other in PACKAGES or other == "django"):
                found.append(f"{module} -> {target}: ml imports no app and not Django")
            elif other == "symphony" and app != "symphony" and target in SYMPHONY_GLUE:
                found.append(f"{module} -> {target}: apps use only symphony's shared helpers")
            elif app == "accounts" and other in APPS:
                found.append(f"{module} -> {target}: accounts imports no other app")
            elif app in ("music", "detection", "live") and other == "history":
                found.append(f"{module} -> {target}: {app} does not import history")
            elif app in ("music", "detection") and other == "live":
                found.append(f"{module} -> {target}: {app} does not import live (live uses {app})")
            elif app == "music" and other == "detection":
                found.append(f"{module} -> {target}: music does not import detection (detection uses music)")
            elif (
                app == "history"
                and other in APPS
                and target not in SHARED_CONSTANTS
                and target.split(".")[-1]
                not in (
                    "selectors",
                    "services",
                )
            ):
                found.append(f"{module} -> {target}: history reads other apps only through selectors and services")
    return sorted(found)


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_the_app_dependency_order_holds():
    assert violations(project_graph()) == []


def test_no_import_cycle_but_the_documented_one():
    assert [c for c in cycles(project_graph()) if c not in ALLOWED_CYCLES] == []


def test_the_rules_catch_a_wrong_import():
    # The checker itself must be able to fail: each of these edges breaks a rule.
    wrong = {
        "ml.inference": {"django", "music.models"},
        "accounts.models": {"detection.models"},
        "music.services": {"history.selectors", "detection.models"},
        "history.views": {"music.models"},
        "detection.views": {"symphony.settings"},
        "music.catalog.services": {"music.library.models", "music.recommendation.selectors"},
        "music.library.api": {"music.recommendation.api"},
        "detection.services": {"live.services"},
        "live.selectors": {"history.selectors"},
    }
    assert len(violations(wrong)) == 12
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert imports_of("history.views", "from . import selectors\nfrom music import services") >= {
        "history.selectors",
        "music.services",
    }
