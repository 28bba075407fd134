"""`remit-admin smoke` against the local stack: it passes on a fresh organization, and a
closed port or a bad key each fail at the first step with a one-line reason. The package
stack runs no tickers, so the run's hook between polls is the scheduler pass (and the
stream publisher) that `make run` would have run on its own."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from remit_cli import admin, smoke
from remit_local.dynamodb_local import free_port
from remit_local.stack import LocalStack

NewOrg = Callable[..., tuple[str, str]]


def run(url: str, key: str, between: Callable[[], object] | None = None) -> tuple[str | None, str]:
    out = io.StringIO()
    failed = smoke.smoke(smoke.Run(smoke.Api(url, key, timeout=10), wait=20, between=between, out=out))
    return failed, out.getvalue()


def test_the_smoke_run_passes_against_the_local_stack(stack: LocalStack, new_org: NewOrg) -> None:
    _, key = new_org("Smoke")

    def tick() -> None:
        stack.drain_streams()
        stack.run_due()

    failed, printed = run(stack.api_url, key, tick)
    assert failed is None, printed
    steps = [line.split()[1:3] for line in printed.splitlines()]
    assert all(line.startswith("ok ") for line in printed.splitlines()), printed
    assert len(steps) == len(smoke.STEPS) + 1  # and the cleanup
    assert "voided" in printed
    assert "receipt PDF" in printed


def test_a_closed_port_fails_the_first_step_in_one_line() -> None:
    failed, printed = run(f"http://127.0.0.1:{free_port()}", "rk_nothing")
    assert failed == "connect"
    [line] = printed.splitlines()
    assert line.startswith("FAIL connect")
    assert "cannot reach" in line
    assert "Traceback" not in printed


def test_a_bad_key_fails_the_first_step_in_one_line(stack: LocalStack) -> None:
    failed, printed = run(stack.api_url, "rk_live_notakey")
    assert failed == "connect"
    [line] = printed.splitlines()
    assert "refused the key" in line


class LiveOrganization(smoke.Api):
    """An organization on Stripe (which the local stack cannot be set to without Stripe's key)."""

    def call(self, method: str, path: str, body: Any = None, *, expect: tuple[int, ...] = (200, 201)) -> Any:
        assert (method, path) == ("GET", "/organization"), "nothing but the organization is read"
        return {"id": "org_live", "paymentSettings": {"gateway": "stripe"}}


def test_a_live_gateway_is_refused_before_anything_is_made() -> None:
    out = io.StringIO()
    failed = smoke.smoke(smoke.Run(LiveOrganization("http://unused", "rk_live"), out=out))
    assert failed == "connect"
    [line] = out.getvalue().splitlines()
    assert "stripe gateway" in line
    assert "sandbox" in line


def test_remit_admin_smoke_exits_non_zero_naming_the_step(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .local/demo.env here
    monkeypatch.setenv("REMIT_API_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("REMIT_API_KEY", "rk_nothing")
    assert admin.main(["smoke", "--wait", "1"]) == 1
    printed = capsys.readouterr()
    assert "smoke run FAILED at step: connect" in printed.out
    assert "Traceback" not in printed.out + printed.err

    monkeypatch.delenv("REMIT_API_URL")
    assert admin.main(["smoke"]) == 2
    assert "set REMIT_API_URL and REMIT_API_KEY" in capsys.readouterr().err
