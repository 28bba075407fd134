"""Every error code the API can answer is in docs/api.md's error table, and the table
names no code that nothing answers (issue 16.7: `/pay`'s `no_payment_method` was missing).

The codes are read from the code itself: each RemitError's own code, every literal
``code=`` given to one where it is raised, every code remit.http answers directly, and the
gateway responses template.yaml declares. The hosted pages and the dashboard answer HTML,
not this table, so their modules are left out."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from remit import errors

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "remit" / "remit"
HTML_ONLY = ("pages", "dashboard")
ERROR_CLASSES = {
    name: cls
    for name, cls in vars(errors).items()
    if inspect.isclass(cls) and issubclass(cls, errors.RemitError)
}


PASSES_CODES_ON = ("http/errors.py", "emails/render.py")


def _constants(tree: ast.Module) -> dict[str, str]:
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def _literal(node: ast.expr, constants: dict[str, str], where: str) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    if where.endswith(PASSES_CODES_ON) and ast.unparse(node) == "exc.code":
        # from_domain passes a RemitError's code on, the template check a RenderFailed's:
        # each is counted where it is raised, as a literal.
        return None
    raise AssertionError(
        f"{where}: an error code that is not a literal ({ast.unparse(node)}) cannot be checked"
    )


def codes_in_the_code() -> set[str]:
    raised_directly = False
    codes = {cls.code for cls in ERROR_CLASSES.values() if cls is not errors.RemitError}
    for path in sorted(LAYER.rglob("*.py")):
        if path.relative_to(LAYER).parts[0] in HTML_ONLY:
            continue
        tree = ast.parse(path.read_text())
        constants = _constants(tree)
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            # RenderFailed: the template check's refusal, answered as a ValidationFailed with its code.
            if name in ERROR_CLASSES or name == "RenderFailed":
                raised_directly |= name == "RemitError"
                for keyword in node.keywords:
                    if keyword.arg == "code" and (code := _literal(keyword.value, constants, where)):
                        codes.add(code)
            elif (
                name == "error_response"
                and len(node.args) > 1
                and (code := _literal(node.args[1], constants, where))
            ):
                codes.add(code)
    if raised_directly:
        codes.add(errors.RemitError.code)
    template = (ROOT / "template.yaml").read_text()
    codes |= set(re.findall(r'"code": "([a-z_]+)"', template))
    return codes


def codes_in_the_table() -> set[str]:
    text = (ROOT / "docs" / "api.md").read_text()
    section = text.split("## Errors", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"^\| [0-9]{3} \|", line)]
    return {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split("|")[2])}


def test_the_error_table_lists_exactly_the_codes_the_api_answers() -> None:
    in_code, in_table = codes_in_the_code(), codes_in_the_table()
    assert "no_payment_method" in in_code  # the reader finds what it is meant to find
    assert in_code - in_table == set(), "answered but not in docs/api.md's error table"
    assert in_table - in_code == set(), "in docs/api.md's error table but answered nowhere"
