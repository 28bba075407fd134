"""The environment each function's containers get: what Lambda would set, the template's
variables (Globals overlaid with the function's own) resolved against the local
resources, and the local cloud's wiring (endpoints, fake credentials, clock file)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from remit_local.apigw import REGION
from remit_local.intrinsics import Resolver, Unresolvable
from remit_local.lambdas import FunctionSpec

log = logging.getLogger("remit_local.environment")

# Not secrets: DynamoDB Local and moto accept any credentials; boto3 needs some.
FAKE_ACCESS_KEY = "local"
FAKE_SECRET_KEY = "local"  # noqa: S105


@dataclass(frozen=True)
class Wiring:
    """Where the local services are and where the shared clock lives."""

    dynamodb_endpoint: str
    aws_endpoint: str
    clock_file: Path

    def variables(self) -> dict[str, str]:
        # boto3 reads AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL natively, so the
        # handlers need no local-only code to reach DynamoDB Local and moto.
        return {
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint,
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "REMIT_CLOCK_FILE": str(self.clock_file),
            # X-Ray has no local daemon, and CloudWatch metric lines would only flood the
            # console; the swagger UI is local-only (remit.http.app).
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_DISABLED": "1",
            "REMIT_ENABLE_SWAGGER": "1",
            # Local webhook subscribers listen on plain http on loopback.
            "WEBHOOK_ALLOW_INSECURE": "1",
        }


def function_environment(spec: FunctionSpec, resolver: Resolver, wiring: Wiring) -> dict[str, str]:
    variables = {
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    }
    for name, value in spec.environment.items():
        try:
            variables[name] = resolver.string(value)
        except Unresolvable as exc:
            log.warning("%s: environment variable %s left unset locally: %s", spec.name, name, exc)
    # The wiring wins: a template value such as AWS_REGION must not point a container
    # away from the local services.
    return variables | wiring.variables()


def environments(
    specs: Mapping[str, FunctionSpec], resolver: Resolver, wiring: Wiring
) -> dict[str, dict[str, str]]:
    return {name: function_environment(spec, resolver, wiring) for name, spec in specs.items()}
