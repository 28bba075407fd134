"""Lambda "containers" for the local cloud: each is a child process
(``remit_local.container``) that imports one function's handler once and then serves one
invocation at a time, like a warm Lambda execution environment.

Processes, not threads: Powertools' event handler keeps the current event on a class
attribute (``BaseRouter.current_event``), shared by every resolver in a process, so two
requests handled by two threads of one process can read each other's event, tenant
included. A process per container also gives each function exactly its own environment
variables, and lets a timed-out invocation be killed as Lambda would.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from remit_local.lambdas import FunctionSpec

log = logging.getLogger("remit_local.workers")

# Leaked from the developer's shell, these would make boto3 in a container look for a
# profile or session instead of the local cloud's credentials.
_SCRUBBED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN")
_INIT_SECONDS = 60.0


class FunctionError(Exception):
    """The function failed: it raised, timed out, died, or could not be imported.
    ``error_type`` / ``message`` are what Lambda reports as errorType / errorMessage."""

    def __init__(self, function: str, error_type: str, message: str, trace: str = "") -> None:
        super().__init__(f"{function}: {error_type}: {message}")
        self.function = function
        self.error_type = error_type
        self.message = message
        self.trace = trace


def _container_environment(environment: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    # The parent may have found remit and remit_local through sys.path tweaks (pytest's
    # pythonpath); the child must find them the same way.
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env | dict(environment)


class Worker:
    """One warm container of one function."""

    def __init__(self, spec: FunctionSpec, environment: Mapping[str, str]) -> None:
        self.spec = spec
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "remit_local.container", str(to_child_r), str(from_child_w)],
                pass_fds=(to_child_r, from_child_w),
                env=_container_environment(environment),
                stdin=subprocess.DEVNULL,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.outbox = Connection(to_child_w, readable=False)
        self.inbox = Connection(from_child_r, writable=False)
        self.outbox.send(spec)
        kind, detail = self._receive(_INIT_SECONDS, "init did not finish in time")
        if kind == "init_error":
            self.kill()
            raise FunctionError(spec.name, detail["errorType"], detail["errorMessage"], detail["stackTrace"])

    def invoke(self, event: Any, request_id: str) -> Any:
        """The handler's return value; FunctionError if it raised. A timeout or crash kills
        the container (``alive`` turns False) and the pool replaces it."""
        try:
            self.outbox.send(("invoke", event, request_id))
        except OSError:
            self.kill()
            raise FunctionError(
                self.spec.name, "Runtime.ExitError", "the function's process exited"
            ) from None
        # A little slack over the configured timeout for the pipe's round trip.
        kind, value = self._receive(
            self.spec.timeout + 1, f"Task timed out after {self.spec.timeout} seconds"
        )
        if kind == "error":
            raise FunctionError(
                self.spec.name, value["errorType"], value["errorMessage"], value["stackTrace"]
            )
        return value

    def _receive(self, timeout: float, timeout_message: str) -> tuple[str, Any]:
        try:
            if not self.inbox.poll(timeout):
                self.kill()
                raise FunctionError(self.spec.name, "Sandbox.Timedout", timeout_message)
            kind, value = self.inbox.recv()
        except (EOFError, OSError):
            self.kill()
            raise FunctionError(
                self.spec.name, "Runtime.ExitError", "the function's process exited"
            ) from None
        return str(kind), value

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def request_stop(self) -> None:
        """Ask the container to exit after its current invocation (see ``kill``)."""
        with contextlib.suppress(OSError):
            self.outbox.send(("stop",))

    def stop(self, grace: float = 2.0) -> None:
        if self.alive:
            self.request_stop()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        self.kill()

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
            self.process.wait(timeout=5)
        self.outbox.close()
        self.inbox.close()


class FunctionPool:
    """Up to ``size`` warm containers of one function, started on demand. Concurrent
    invocations each get their own; beyond ``size`` they wait, like reserved concurrency."""

    def __init__(self, spec: FunctionSpec, environment: Mapping[str, str], size: int = 8) -> None:
        self.spec = spec
        self.environment = dict(environment)
        self.size = size
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._starting = 0
        self._closed = False
        self._available = threading.Condition()

    def invoke(self, event: Any, request_id: str) -> Any:
        worker = self._acquire()
        try:
            return worker.invoke(event, request_id)
        finally:
            self._release(worker)

    def _acquire(self) -> Worker:
        with self._available:
            while True:
                if self._closed:
                    raise FunctionError(self.spec.name, "Runtime.Shutdown", "the local cloud is stopping")
                if self._idle:
                    return self._idle.pop()
                if len(self._all) + self._starting < self.size:
                    self._starting += 1
                    break
                self._available.wait()
        # Start outside the lock: an import takes a second or so, and others may be idle.
        try:
            worker = Worker(self.spec, self.environment)
        except BaseException:
            with self._available:
                self._starting -= 1
                self._available.notify()
            raise
        with self._available:
            self._starting -= 1
            self._all.add(worker)
        return worker

    def _release(self, worker: Worker) -> None:
        with self._available:
            if worker.alive and not self._closed:
                self._idle.append(worker)
            else:
                self._all.discard(worker)
                worker.kill()
            self._available.notify()

    def prewarm(self) -> None:
        """Start one container in the background, so the first call finds it warm."""

        def warm() -> None:
            try:
                self._release(self._acquire())
            except FunctionError as exc:
                log.warning("could not start %s: %s", self.spec.name, exc)

        threading.Thread(target=warm, name=f"prewarm-{self.spec.name}", daemon=True).start()

    def close(self) -> None:
        with self._available:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._available.notify_all()
        # All asked at once, then each waited for: shutdown takes one grace period, not n.
        for worker in workers:
            worker.request_stop()
        for worker in workers:
            worker.stop()


@dataclass
class FunctionPools:
    """One pool per function of a template, created on first use."""

    specs: Mapping[str, FunctionSpec]
    environments: Mapping[str, Mapping[str, str]]
    size: int = 8

    def __post_init__(self) -> None:
        self._pools: dict[str, FunctionPool] = {}
        self._lock = threading.Lock()

    def pool(self, function: str) -> FunctionPool:
        with self._lock:
            if function not in self._pools:
                self._pools[function] = FunctionPool(
                    self.specs[function], self.environments[function], self.size
                )
            return self._pools[function]

    def invoke(self, function: str, event: Any, request_id: str) -> Any:
        return self.pool(function).invoke(event, request_id)

    def prewarm(self, functions: set[str]) -> None:
        for function in sorted(functions):
            self.pool(function).prewarm()

    def close(self) -> None:
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool in pools:
            pool.close()
