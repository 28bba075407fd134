"""``make run``: the local cloud, seeded with a demo organization, until Ctrl-C.

State lives in ``.local/`` (see docs/local.md): DynamoDB's data (kept across restarts),
its log, the clock file, and the env files other processes and the README use."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from remit_local.demo import (
    DEMO_ORGANIZATION,
    DEMO_PASSWORD,
    Operator,
    ensure_demo,
    ensure_operators,
    write_demo_env,
)
from remit_local.stack import LocalStack
from remit_local.template import ROOT


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="remit-local", description=__doc__)
    parser.add_argument("--port", type=int, default=3000, help="the gateway's port (default 3000)")
    parser.add_argument("--host", default="127.0.0.1", help="the interface to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--state-dir", type=Path, default=ROOT / ".local", help="where state lives (default .local/)"
    )
    parser.add_argument(
        "--tick",
        type=float,
        default=30.0,
        help="seconds of real time between scheduler runs (default 30)",
    )
    parser.add_argument(
        "--in-memory", action="store_true", help="keep DynamoDB's data in memory only (lost on exit)"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log every request and scheduler run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    state: Path = args.state_dir.resolve()
    print("Starting Remit locally (DynamoDB Local, moto, gateway, scheduler) ...", flush=True)
    stack = LocalStack(state)
    try:
        stack.start(in_memory=args.in_memory, port=args.port, host=args.host, throttle=True)
    except OSError as exc:
        print(
            f"remit-local: could not start: {exc} (is port {args.port} in use? try --port)", file=sys.stderr
        )
        return 1
    try:
        stack.write_env_file(state / "local.env")
        demo = ensure_demo(stack.context(), state / "demo.env")
        write_demo_env(state / "demo.env", demo, stack.api_url)
        operators = ensure_operators(stack.clients.cognito, stack.user_pool_id, demo.organization_id)
        stack.run_due()  # scheduled functions catch up at start, as after any pause
        stack.start_ticker(args.tick)
        print(banner(stack, demo.api_key, demo.organization_id, state, args.tick, operators), flush=True)
        stopping.wait()
    finally:
        print("\nStopping ...", flush=True)
        stack.stop()
    return 0


def banner(
    stack: LocalStack, api_key: str, org_id: str, state: Path, tick: float, operators: list[Operator]
) -> str:
    url = stack.api_url
    signins = "\n".join(f"             {o.email} ({o.role})" for o in operators)
    return f"""
Remit is running locally.

  API URL    {url}
  API key    {api_key}
             (demo organization "{DEMO_ORGANIZATION}", {org_id})
  Dashboard  {url}/dashboard   (password {DEMO_PASSWORD} for either operator)
{signins}
  Docs       {url}/swagger
  Clock      {url}/_local/clock   (POST {{"advance": "P3D"}} moves it and runs what fell due)
  Emails     {url}/_local/emails  (what SES sent: JSON, or a page in a browser)
  SMS        {url}/_local/sms     (what SNS texted: dunning's sms_reminder)
  Scheduler  every {tick:g}s

  {state / "demo.env"} has REMIT_API_URL and REMIT_API_KEY:
      set -a; source .local/demo.env; set +a
      curl -H "Authorization: Bearer $REMIT_API_KEY" $REMIT_API_URL/organization
  More organizations and keys: .venv/bin/remit-admin create-org --local --name "..."

Press Ctrl-C to stop."""


if __name__ == "__main__":
    sys.exit(main())
