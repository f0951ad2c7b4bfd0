"""Functions that fit on a screen: no function or method is over 60 lines, counted from its `def`
to its last line (decorators excluded).

Left out: migrations (generated), and tests with everything that only serves them (every `tests/`
folder, the top-level one and its harnesses included, and conftest.py files): a test reads best as
one story from given to then, even a long one."""

import ast

from tests.test_repository import ROOT, SKIP

MAX_FUNCTION_LINES = 60
NOT_CHECKED = {"migrations", "tests"}


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[int, str, int]]:
    """(line of the `def`, name, lines) of each function or method in `source` over `limit` lines."""
    return [
        (node.lineno, node.name, length)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := node.end_lineno - node.lineno + 1) > limit
    ]


def checked_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if not (SKIP | NOT_CHECKED) & parts and path.name != "conftest.py" and path.is_file():
            yield path


def test_no_function_outside_tests_and_migrations_is_over_60_lines():
    long = [
        f"{path.relative_to(ROOT)}:{line} {name} {length}"
        for path in checked_files()
        for line, name, length in long_functions(path.read_text())
    ]
    assert not long, "split these functions (path:line name lines):\n" + "\n".join(long)


def test_a_61_line_function_is_flagged_and_a_60_line_one_is_not():
    def function(header: str, lines: int, indent: str = "") -> str:
        body = "".join(f"{indent}    x{i} = {i}\n" for i in range(lines - 1))
        return f"{indent}{header}\n{body}"

    source = (
        "@decorator\n"
        + function("def long():", 61)
        + "class Thing:\n"
        + function("def fits(self):", 60, indent="    ")
        + "    @property\n"
        + function("async def also_long(self):", 61, indent="    ")
    )
    assert long_functions(source) == [(2, "long", 61), (125, "also_long", 61)]
    assert [name for _, name, _ in long_functions(source, limit=59)] == ["long", "fits", "also_long"]
