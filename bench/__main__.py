"""``python -m bench``: run every benchmark and print markdown for docs/performance.md."""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import autopay_sweep, billing_run, cold_import, dunning_sweep, dynamodb_calls, pdf_render


def machine() -> str:
    """The machine line docs/performance.md records with every result."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line), "?")
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    kib = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, {kib / 2**20:.0f} GiB RAM, "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--import-rounds", type=int, default=20, help="interleaved rounds (default 20)")
    parser.add_argument("--ddb-rounds", type=int, default=15, help="runs of each operation (default 15)")
    parser.add_argument("--pdf-rounds", type=int, default=25, help="interleaved PDF renders (default 25)")
    parser.add_argument(
        "--only",
        choices=[
            "cold-import",
            "dynamodb-calls",
            "billing-run",
            "autopay-sweep",
            "dunning-sweep",
            "pdf-render",
        ],
    )
    args = parser.parse_args()
    python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else sys.executable
    print(f"Command: `{shlex.join([python, '-m', 'bench', *sys.argv[1:]])}`  ")
    print(f"Machine: {machine()}\n")
    if args.only in (None, "cold-import"):
        print("### Cold import\n")
        print(cold_import.markdown(cold_import.run(args.import_rounds)), end="\n\n", flush=True)
    if args.only in (None, "dynamodb-calls"):
        print("### DynamoDB calls\n")
        print(dynamodb_calls.markdown(dynamodb_calls.run(args.ddb_rounds)), end="\n\n", flush=True)
    if args.only in (None, "billing-run"):
        print("### Billing run\n")
        print(billing_run.markdown(billing_run.run()), end="\n\n", flush=True)
    if args.only in (None, "autopay-sweep"):
        print("### AutoPay sweep\n")
        print(autopay_sweep.markdown(autopay_sweep.run()))
    if args.only in (None, "dunning-sweep"):
        print("### Dunning sweep\n")
        print(dunning_sweep.markdown(dunning_sweep.run()))
    if args.only in (None, "pdf-render"):
        print("### PDF render\n")
        print(pdf_render.markdown(pdf_render.run(args.pdf_rounds)))


if __name__ == "__main__":
    main()
