"""The inside of a local Lambda container: ``python -m remit_local.container IN OUT``.

It reads its function's spec from pipe IN, imports the handler once (the init phase),
then answers invocations one at a time over pipes IN/OUT until told to stop or the pipe
closes. Its stdout and stderr are the parent's, so handler logs show in the console as
they would in CloudWatch."""

from __future__ import annotations

import json
import sys
import traceback
from multiprocessing.connection import Connection
from typing import Any

from remit_local.lambdas import FunctionSpec, LambdaContext, load_handler


def error_info(exc: BaseException) -> dict[str, str]:
    """What Lambda reports for a failed invocation."""
    return {
        "errorType": type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": "".join(traceback.format_exception(exc)),
    }


def serve(inbox: Connection, outbox: Connection) -> None:
    spec: FunctionSpec = inbox.recv()
    # Lambda puts the function's code root on sys.path (/var/task).
    sys.path.insert(0, str(spec.code_uri))
    try:
        handler, _ = load_handler(spec)
    except BaseException as exc:
        outbox.send(("init_error", error_info(exc)))
        return
    outbox.send(("ready", None))
    while True:
        try:
            message = inbox.recv()
        except EOFError:
            return
        if message[0] == "stop":
            return
        _, event, request_id = message
        context = LambdaContext(
            function_name=spec.name,
            timeout_seconds=spec.timeout,
            memory_limit_in_mb=spec.memory,
            aws_request_id=request_id,
        )
        reply: tuple[str, Any]
        try:
            reply = ("ok", handler(event, context))
        except Exception as exc:
            info = error_info(exc)
            # Lambda logs a failed invocation as one JSON line; the parent gets the trace.
            print(
                json.dumps({k: info[k] for k in ("errorType", "errorMessage")}), file=sys.stderr, flush=True
            )
            reply = ("error", info)
        try:
            outbox.send(reply)
        except Exception as exc:  # a result that cannot be sent back (not picklable)
            outbox.send(("error", error_info(exc)))


def main() -> None:
    inbox = Connection(int(sys.argv[1]), writable=False)
    outbox = Connection(int(sys.argv[2]), readable=False)
    serve(inbox, outbox)


if __name__ == "__main__":
    main()
