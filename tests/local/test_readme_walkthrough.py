"""The README's walkthrough, run as written (bash, curl, jq) against the local cloud with
a demo organization seeded the way ``make run`` seeds it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from remit_local.demo import ensure_demo, write_demo_env
from remit_local.envfile import read_env_file
from remit_local.stack import LocalStack
from remit_local.template import ROOT

BLOCK = re.compile(r"<!-- walkthrough:start -->\s*```sh\n(.*?)```\s*<!-- walkthrough:end -->", re.DOTALL)


def json_documents(text: str) -> list[Any]:
    decoder, documents, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        document, at = decoder.raw_decode(text, at)
        documents.append(document)
    return documents


def test_the_walkthrough_takes_an_invoice_from_draft_to_paid(stack: LocalStack, tmp_path: Path) -> None:
    [script] = BLOCK.findall((ROOT / "README.md").read_text())
    demo_env = tmp_path / ".local" / "demo.env"
    write_demo_env(demo_env, ensure_demo(stack.context(), demo_env), stack.api_url)

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    finalized, paid, fetched = json_documents(done.stdout)
    assert finalized["status"] == "issued"
    assert finalized["invoiceNumber"]
    assert paid == {"status": "paid", "amountPaid": finalized["total"], "amountDue": "0.00"}
    assert fetched["status"] == "paid"
    assert fetched["invoiceNumber"] == finalized["invoiceNumber"]
    assert len(fetched["payments"]) == 1


def test_the_demo_key_is_reused_while_it_works(stack: LocalStack, tmp_path: Path) -> None:
    demo_env = tmp_path / "demo.env"
    first = ensure_demo(stack.context(), demo_env)
    assert first.created
    write_demo_env(demo_env, first, stack.api_url)
    assert list(read_env_file(demo_env)) == [
        "REMIT_API_URL",
        "REMIT_API_KEY",
        "REMIT_ORG_ID",
        "REMIT_DASHBOARD_URL",
        "REMIT_DASHBOARD_EMAIL",
        "REMIT_DASHBOARD_PASSWORD",
    ]

    again = ensure_demo(stack.context(), demo_env)
    assert (again.created, again.api_key, again.organization_id) == (
        False,
        first.api_key,
        first.organization_id,
    )

    # A key the table no longer knows (say .local/dynamodb was deleted): a new demo org.
    demo_env.write_text(demo_env.read_text().replace(first.api_key, first.api_key[:-6] + "XXXXXX"))
    fresh = ensure_demo(stack.context(), demo_env)
    assert fresh.created
    assert fresh.organization_id != first.organization_id
