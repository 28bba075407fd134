"""Cold import of the Lambda functions against importing boto3 and Powertools alone.

Every sample is a new interpreter (nothing cached in memory) started the way Lambda
starts a function: the code root and the layer on ``sys.path``, the code root as the
working directory, and the environment a deployed function has. ``LAMBDA_TASK_ROOT`` is
set and ``POWERTOOLS_TRACE_DISABLED`` is not, because template.yaml deploys with
``Tracing: Active``: ``Tracer()`` then imports the X-Ray SDK and patches the libraries it
supports, as it does in Lambda. Every variant gets the same environment.

Bytecode caches are warmed by one untimed run of each variant; the variants then run
interleaved, in a rotating order, so drift on a noisy machine hits all of them alike.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
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


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    code: str
    code_root: Path | None = None  # None: an empty directory stands in for it


FUNCTIONS = ROOT / "functions"
VARIANTS = [
    Variant("A", "baseline: `import boto3` + Powertools REST imports", BASELINE),
    Variant("S", "Powertools skeleton: A + Logger/Metrics/Tracer + validating resolver", SKELETON),
    Variant("B", "API function: `import app` (functions/api)", "import app", FUNCTIONS / "api"),
    Variant("Z", "authorizer: `import app` (functions/authorizer)", "import app", FUNCTIONS / "authorizer"),
]


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
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *flags, "-c", variant.code],
        cwd=root,
        env=lambda_env(root, empty),
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


def run(rounds: int = 20) -> Result:
    with tempfile.TemporaryDirectory(prefix="remit-bench-") as tmp:
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
    b_over_a = result.ratio("B")
    lines += [
        "",
        f"**API function B/A = {b_over_a:.2f}** (per-round {result.paired('B'):.2f}; target ≤ 1.50: "
        f"{'met' if b_over_a <= 1.5 else 'MISSED'}); "
        f"skeleton S/A = {result.ratio('S'):.2f}; B/S = {result.ratio('B', 'S'):.2f} "
        f"(what Remit's own code adds); authorizer Z/A = {result.ratio('Z'):.2f}.",
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
