"""``KEY=VALUE`` files (.local/local.env, .local/demo.env): written by ``make run``,
read by shells (``source``), by the admin CLI (``--local``) and by ``make run`` itself on
the next start."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def read_env_file(path: Path) -> dict[str, str]:
    """The file's variables; blank lines and ``#`` comments are skipped, and one layer
    of matching quotes around a value is removed."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip().removeprefix("export ").strip()] = value
    return values


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    """Only ``NAME=value`` lines, no comments, so ``export $(cat file)`` works as well as
    ``source``. Written to a temporary file and renamed: a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{name}={value}\n" for name, value in values.items())
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(body)
    tmp.replace(path)
