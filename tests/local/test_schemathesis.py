"""Schemathesis against the local stack, from the checked-in docs/openapi.json: every
operation, all default checks (no server error, responses as documented, invalid input
refused, valid input accepted, auth not ignored, other methods 405), a fixed seed.

Findings not yet fixed are listed in schemathesis-baseline.json (docs/reliability.md says
what each is); a new one fails this test. After fixing listed ones, rewrite the list with
`REMIT_SCHEMATHESIS_BASELINE=update .venv/bin/python -m pytest tests/local/test_schemathesis.py`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from remit_local.stack import LocalStack
from remit_local.template import ROOT

BASELINE = Path(__file__).with_name("schemathesis-baseline.json")
EXAMPLES_PER_OPERATION = 10


def test_the_api_holds_up_under_schemathesis(
    stack: LocalStack, new_org: Callable[..., tuple[str, str]]
) -> None:
    _, key = new_org("Schemathesis Co")
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        str(ROOT / "docs" / "openapi.json"),
        "--url",
        stack.api_url,
        "--header",
        f"Authorization: Bearer {key}",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--seed",
        "1",
        "--workers",
        "2",
        "--phases",
        "examples,coverage,fuzzing",
        "--baseline",
        str(BASELINE),
        "--output-sanitize",
        "true",
    ]
    if os.environ.get("REMIT_SCHEMATHESIS_BASELINE") == "update":
        BASELINE.unlink(missing_ok=True)
        command.append("--baseline-update")
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    summary = run.stdout[-6000:]
    assert run.returncode == 0, f"schemathesis found something new:\n{summary}\n{run.stderr[-2000:]}"
