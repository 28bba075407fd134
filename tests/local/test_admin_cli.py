"""``remit-admin`` against the local cloud: the keys it prints work through the gateway."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from remit_cli.admin import main
from remit_local.stack import LocalStack
from tests.local.client import call


def run_admin(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_org_prints_a_key_that_works(stack: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    # Table, endpoint, region and credentials come from the environment (TABLE_NAME ...).
    code, out, _ = run_admin(
        capsys, "create-org", "--name", "Initech", "--email", "ap@initech.example", "--json"
    )
    assert code == 0
    created = json.loads(out)
    assert created["organizationId"].startswith("org_")
    assert created["scope"] == "full"

    reply = call("GET", f"{stack.api_url}/organization", key=created["apiKey"])
    assert reply.status == 200
    assert reply.json["id"] == created["organizationId"]
    assert reply.json["name"] == "Initech"
    assert (
        call("POST", f"{stack.api_url}/accounts", {"name": "Customer"}, key=created["apiKey"]).status == 201
    )


def test_text_output_shows_the_key_once_with_a_warning(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_admin(capsys, "create-org", "--name", "Hooli", "--table", stack.table_name)
    assert code == 0
    [key_line] = [line for line in out.splitlines() if line.startswith("API key ")]
    token = key_line.split()[-1]
    assert call("GET", f"{stack.api_url}/organization", key=token).status == 200
    assert "cannot be recovered" in out


def test_create_key_read_only_through_the_local_env_file(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file = tmp_path / "local.env"
    stack.write_env_file(env_file)
    _, out, _ = run_admin(
        capsys, "create-org", "--name", "Pied Piper", "--local-env", str(env_file), "--json"
    )
    org_id = json.loads(out)["organizationId"]

    # Where-options may also come before the command.
    code, out, _ = run_admin(
        capsys, "--local-env", str(env_file), "--json", "create-key", "--org", org_id, "--read-only"
    )
    assert code == 0
    key = json.loads(out)
    assert key["organizationId"] == org_id
    assert key["scope"] == "read_only"
    assert call("GET", f"{stack.api_url}/organization", key=key["apiKey"]).json["id"] == org_id
    assert call("POST", f"{stack.api_url}/accounts", {"name": "X"}, key=key["apiKey"]).status == 403


def test_create_key_for_an_unknown_org_fails_cleanly(
    capsys: pytest.CaptureFixture[str], stack: LocalStack
) -> None:
    code, out, err = run_admin(capsys, "create-key", "--org", "org_doesnotexist")
    assert code == 2
    assert out == ""
    assert "org_doesnotexist" in err


def test_no_table_anywhere_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stack: LocalStack
) -> None:
    monkeypatch.delenv("TABLE_NAME")
    code, _, err = run_admin(capsys, "create-org", "--name", "Nowhere")
    assert code == 2
    assert "--table" in err
    code, _, err = run_admin(
        capsys, "create-org", "--name", "Nowhere", "--local-env", "/nonexistent/local.env"
    )
    assert code == 2
    assert "make run" in err


def test_the_installed_console_script(stack: LocalStack, tmp_path: Path) -> None:
    env_file = tmp_path / "local.env"
    stack.write_env_file(env_file)
    script = Path(sys.executable).parent / "remit-admin"
    done = subprocess.run(
        [str(script), "create-org", "--name", "Globex", "--local-env", str(env_file), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    key = json.loads(done.stdout)["apiKey"]
    assert call("GET", f"{stack.api_url}/organization", key=key).json["name"] == "Globex"
