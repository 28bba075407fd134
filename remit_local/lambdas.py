"""Load the Lambda handlers that template.yaml names, the way the Lambda runtime would:
the function's CodeUri is the code root and ``Handler`` is ``module.function``.

Each load is a fresh module (a fresh "container"), so a pool of them can serve requests
concurrently without sharing per-invocation state such as the resolver's current event.
"""

from __future__ import annotations

import importlib.util
import itertools
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit_local.template import TEMPLATE, load

Handler = Callable[[dict[str, Any], Any], Any]
_serial = itertools.count()


@dataclass
class FunctionSpec:
    name: str
    code_uri: Path
    handler: str
    events: dict[str, Any]
    timeout: int
    # Globals' variables overlaid with the function's own, intrinsics (!Ref ...) unresolved.
    environment: dict[str, Any] = field(default_factory=dict)
    memory: int = 128


def functions(template: Path | None = None) -> dict[str, FunctionSpec]:
    template = template or TEMPLATE
    doc = load(template)
    globals_ = doc.get("Globals", {}).get("Function", {})
    global_env = globals_.get("Environment", {}).get("Variables", {})
    specs = {}
    for name, res in doc["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res["Properties"]
        specs[name] = FunctionSpec(
            name=name,
            # SAM resolves CodeUri against the template's own directory.
            code_uri=template.parent / props["CodeUri"],
            handler=props.get("Handler") or globals_["Handler"],
            events=props.get("Events", {}),
            timeout=int(props.get("Timeout", globals_.get("Timeout", 3))),
            environment={**global_env, **props.get("Environment", {}).get("Variables", {})},
            memory=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
        )
    return specs


@dataclass
class LambdaContext:
    """What handlers read from the Lambda context object."""

    function_name: str
    timeout_seconds: int = 15
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: secrets.token_hex(16))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


def load_handler(spec: FunctionSpec) -> tuple[Handler, Any]:
    """Import the function's module afresh and return (handler, module)."""
    module_name, _, attr = spec.handler.rpartition(".")
    path = spec.code_uri / f"{module_name.replace('.', '/')}.py"
    unique = f"_remit_fn_{spec.name}_{next(_serial)}"
    module_spec = importlib.util.spec_from_file_location(unique, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[unique] = module
    module_spec.loader.exec_module(module)
    return getattr(module, attr), module


def invoke(handler: Handler, spec: FunctionSpec, event: dict[str, Any]) -> Any:
    return handler(event, LambdaContext(function_name=spec.name, timeout_seconds=spec.timeout))
