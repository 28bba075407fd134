"""Cold import of the Lambda functions against importing boto3 and Powertools alone.

Every sample is a new interpreter (nothing cached in memory) started the way Lambda
starts a function: the code root and the layer on ``sys.path``, the code root as the
working directory, and the environment a deployed function has. ``LAMBDA_TASK_ROOT`` is
set and ``POWERTOOLS_TRACE_DISABLED`` is not, because template.yaml deploys with
``Tracing: Active``: ``Tracer()`` then imports the X-Ray SDK and patches the libraries it
supports, as it does in Lambda. Every variant gets the same environment.

Bytecode caches are warmed by one untimed run of each variant; the variants then run
interleaved, in a rotating order, so drift on a noisy machine hits all of them alike.

Variant F is a cold start's whole init plus its first request: ``import app`` and one
``GET /invoices/{id}`` through the handler, against DynamoDB Local (started for the run,
with one issued invoice in it), so it pays what the first request adds to the import: the
router group and the services it brings, the boto3 client, one Query.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "remit"

BASELINE = """\
import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools import Logger, Metrics, Tracer
"""

# The least a function built as the issue prescribes has to do before its first request:
# the baseline, plus what Remit's handler builds from it (Logger, Metrics, Tracer, a
# validating resolver with one pydantic-typed route, the handler decorators).
SKELETON = (
    BASELINE
    + """\
from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel
logger, metrics, tracer = Logger(), Metrics(), Tracer()
app = APIGatewayRestResolver(enable_validation=True)
class Thing(BaseModel):
    name: str
@app.post("/things")
def create(body: Thing) -> Thing:
    return body
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event, context):
    return app.resolve(event, context)
"""
)


# The first request, as the handler gets it; the event comes from the parent (BENCH_EVENT).
FIRST_REQUEST = """\
import app
import json, os
from types import SimpleNamespace
context = SimpleNamespace(function_name="remit-bench", memory_limit_in_mb=512, aws_request_id="bench",
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:remit-bench")
answer = app.lambda_handler(json.loads(os.environ["BENCH_EVENT"]), context)
assert answer["statusCode"] == 200, answer
"""


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    code: str
    code_root: Path | None = None  # None: an empty directory stands in for it
    first_request: bool = False  # needs the DynamoDB Local and the event


FUNCTIONS = ROOT / "functions"
VARIANTS = [
    Variant("A", "baseline: `import boto3` + Powertools REST imports", BASELINE),
    Variant("S", "Powertools skeleton: A + Logger/Metrics/Tracer + validating resolver", SKELETON),
    Variant("B", "API function: `import app` (functions/api)", "import app", FUNCTIONS / "api"),
    Variant("Z", "authorizer: `import app` (functions/authorizer)", "import app", FUNCTIONS / "authorizer"),
    Variant(
        "F",
        "API function's init + first request: B, then `GET /invoices/{id}` (DynamoDB Local)",
        FIRST_REQUEST,
        FUNCTIONS / "api",
        first_request=True,
    ),
]
# Added to the environment of a first-request variant: where the table is, and the event.
FIRST_REQUEST_ENV: dict[str, str] = {}


def lambda_env(code_root: Path, home: Path) -> dict[str, str]:
    """What a deployed function's interpreter sees (no host AWS profile or config)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONPATH": f"{code_root}{os.pathsep}{LAYER}",
        "LAMBDA_TASK_ROOT": str(code_root),
        "AWS_LAMBDA_FUNCTION_NAME": "remit-bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "x",
        "POWERTOOLS_SERVICE_NAME": "remit",
        "POWERTOOLS_METRICS_NAMESPACE": "Remit",
    }


def run_once(variant: Variant, empty: Path, *flags: str) -> tuple[float, str]:
    """Wall time in ms of one fresh interpreter importing ``variant``, and its stderr."""
    root = variant.code_root or empty
    env = lambda_env(root, empty) | (FIRST_REQUEST_ENV if variant.first_request else {})
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *flags, "-c", variant.code],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{variant.key} failed:\n{done.stderr}")
    return elapsed, done.stderr


# -- -X importtime ------------------------------------------------------------------------

_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")


def import_times(stderr: str) -> dict[str, float]:
    """Module -> its own (self) import time in ms, from ``-X importtime`` output."""
    return {m[2]: int(m[1]) / 1000 for m in map(_LINE.match, stderr.splitlines()) if m}


def profile(variant: Variant, empty: Path, runs: int = 3) -> dict[str, float]:
    """Each module's median self time over a few ``-X importtime`` runs (one is too noisy)."""
    found = [import_times(run_once(variant, empty, "-X", "importtime")[1]) for _ in range(runs)]
    return {m: statistics.median(f.get(m, 0.0) for f in found) for m in found[0]}


def group(module: str) -> str:
    parts = module.split(".")
    deep = parts[0] in ("aws_lambda_powertools", "remit", "aws_xray_sdk")
    return ".".join(parts[:2] if deep else parts[:1])


@dataclass
class Result:
    rounds: int
    samples: dict[str, list[float]]
    extra_in_b: dict[str, float]  # module -> self ms, for the modules B imports and A does not
    in_s: set[str]  # the modules the skeleton imports

    def median(self, key: str) -> float:
        return statistics.median(self.samples[key])

    def ratio(self, key: str, over: str = "A") -> float:
        return self.median(key) / self.median(over)

    def paired(self, key: str, over: str = "A") -> float:
        """Median of the per-round ratios: each pair ran seconds apart, so slow drift in the
        machine's load cancels out better than in the ratio of the medians."""
        return statistics.median(k / o for k, o in zip(self.samples[key], self.samples[over], strict=True))


@contextmanager
def first_request_table() -> Iterator[None]:
    """DynamoDB Local with one issued invoice, and FIRST_REQUEST_ENV set to get it."""
    import boto3

    from remit.clock import FixedClock
    from remit.schemas.account import AccountCreate
    from remit.schemas.invoice import InvoiceCreate
    from remit.services.accounts import AccountService
    from remit.services.context import Context
    from remit.services.invoices import InvoiceService
    from remit.services.organizations import OrganizationService
    from remit.store.repositories import Store
    from remit.store.table import Table
    from remit_local.apigw import proxy_event
    from remit_local.dynamodb_local import DynamoDBLocal
    from remit_local.resources import create_table

    server = DynamoDBLocal.start()
    try:
        credentials = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        client = boto3.client(
            "dynamodb",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        )
        create_table(client, "remit-bench")
        ctx = Context(store=Store(Table("remit-bench", client)), clock=FixedClock())
        org, _ = OrganizationService(ctx).create("Bench")
        account = AccountService(ctx).create(org.id, AccountCreate(name="Customer"))
        lines = [{"description": "Consulting", "quantity": "3", "unitAmount": "150.00", "taxRate": "19"}]
        draft = InvoiceCreate.model_validate({"accountId": account.id, "lineItems": lines})
        invoices = InvoiceService(ctx)
        invoice = invoices.finalize(org.id, invoices.create_draft(org.id, draft).id)
        event = proxy_event(
            "GET",
            f"/invoices/{invoice.id}",
            resource="/invoices/{invoiceId}",
            path_parameters={"invoiceId": invoice.id},
            authorizer={"organizationId": org.id},
        )
        FIRST_REQUEST_ENV.update(
            credentials,
            TABLE_NAME="remit-bench",
            AWS_ENDPOINT_URL_DYNAMODB=server.endpoint,
            BENCH_EVENT=json.dumps(event),
            # What Lambda passes a sampled request: the tracer's segment is real (sent by UDP).
            _X_AMZN_TRACE_ID="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        )
        yield
    finally:
        FIRST_REQUEST_ENV.clear()
        server.stop()


def run(rounds: int = 20) -> Result:
    with tempfile.TemporaryDirectory(prefix="remit-bench-") as tmp, first_request_table():
        empty = Path(tmp)
        for variant in VARIANTS:  # warm __pycache__ and the OS file cache, untimed
            run_once(variant, empty)
        samples: dict[str, list[float]] = {v.key: [] for v in VARIANTS}
        for i in range(rounds):
            for variant in VARIANTS[i % len(VARIANTS) :] + VARIANTS[: i % len(VARIANTS)]:
                samples[variant.key].append(run_once(variant, empty)[0])
        a, s, b = (profile(v, empty) for v in VARIANTS[:3])
    return Result(rounds, samples, {m: ms for m, ms in b.items() if m not in a}, set(s))


def largest(times: dict[str, float], top: int) -> list[tuple[str, float]]:
    return sorted(times.items(), key=lambda item: item[1], reverse=True)[:top]


def markdown(result: Result, top: int = 12) -> str:
    lines = [
        f"Cold import, {result.rounds} interleaved rounds, one fresh interpreter per sample:",
        "",
        "| variant | median ms | min ms | ratio of medians to A | median of per-round ratios to A |",
        "|---|---:|---:|---:|---:|",
    ]
    for v in VARIANTS:
        data = result.samples[v.key]
        lines.append(
            f"| {v.key}: {v.label} | {statistics.median(data):.0f} | {min(data):.0f} "
            f"| {result.ratio(v.key):.2f} | {result.paired(v.key):.2f} |"
        )
    b_over_s = result.paired("B", "S")
    lines += [
        "",
        f"**API function B/S = {b_over_s:.2f}** (median of per-round ratios; target ≤ 1.10: "
        f"{'met' if b_over_s <= 1.10 else 'MISSED'}; ratio of medians {result.ratio('B', 'S'):.2f}); "
        f"B/A = {result.paired('B'):.2f}; skeleton S/A = {result.paired('S'):.2f}; "
        f"authorizer Z/A = {result.paired('Z'):.2f}.",
        "",
        f"**Init + first `GET /invoices/{{id}}`: F/S = {result.paired('F', 'S'):.2f}** (per-round), "
        f"F/A = {result.paired('F'):.2f}; the first request adds "
        f"{result.median('F') - result.median('B'):.0f} ms to B's median import.",
        "",
        "Biggest contributors in B that A lacks (`-X importtime`, median self ms of 3 runs; the last "
        "column is the part the skeleton S imports too), by package and by module:",
        "",
        "| package | ms in B, not in A | of which S too |",
        "|---|---:|---:|",
    ]
    packages: defaultdict[str, float] = defaultdict(float)
    shared: defaultdict[str, float] = defaultdict(float)
    for module, ms in result.extra_in_b.items():
        packages[group(module)] += ms
        shared[group(module)] += ms if module in result.in_s else 0.0
    for package, ms in largest(packages, top):
        lines.append(f"| `{package}` | {ms:.1f} | {shared[package]:.1f} |")
    lines += [
        f"| all {len(packages)} packages | {sum(packages.values()):.1f} | {sum(shared.values()):.1f} |",
        "",
        "| module | ms in B, not in A | in S too |",
        "|---|---:|---|",
    ]
    for module, ms in largest(result.extra_in_b, top):
        lines.append(f"| `{module}` | {ms:.1f} | {'yes' if module in result.in_s else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    print(markdown(run(parser.parse_args().rounds)))


if __name__ == "__main__":
    main()
