"""moto in server mode: S3, SNS, SQS, SES and the rest of AWS (everything except
DynamoDB, which is Amazon's own DynamoDB Local) behind one local HTTP endpoint.

It runs in a thread of the local cloud's process. Its state lives in memory, so buckets,
topics and queues are re-created from template.yaml on every start."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from remit_local.dynamodb_local import wait_for_port


@dataclass
class MotoServer:
    server: Any
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, port: int = 0) -> MotoServer:
        """Listen on ``port`` (0: any free port) on the loopback interface only."""
        # One log line per AWS call would drown the gateway's own.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        _, bound = server.get_host_and_port()
        wait_for_port(bound)
        return cls(server, bound)

    def stop(self) -> None:
        self.server.stop()
