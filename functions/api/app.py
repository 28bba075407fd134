"""The JSON API's Lambda handler: every route of the REST API behind the authorizer.

The resolver includes each group of routes on its first request (remit.http.app), so a
cold start imports little. With SnapStart on (template.yaml, ``EnableSnapStart``), Lambda
runs ``prime`` once before it snapshots the initialized function, so a restored container
starts with every route, schema and service imported and its AWS clients made."""

import random
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit.http.app import build_app
from remit.observability import logger, metrics, tracer

app = build_app(lazy=True)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    response = app.resolve(event, context)
    # Responses by class (Responses2xx, Responses4xx, Responses5xx): the error rates a
    # dashboard or alarm wants, without a dimension per route.
    metrics.add_metric(name=f"Responses{response['statusCode'] // 100}xx", unit=MetricUnit.Count, value=1)
    return response


def prime() -> None:
    """What a first request would otherwise pay: every router (with its schemas and
    services), the Idempotency-Key module, and the boto3 clients. Clients only, no calls:
    a connection opened now would not survive the snapshot, and the clients take their
    credentials from Lambda's provider when they first sign, after the restore."""
    from remit.http import idempotency  # noqa: F401 - imported for the snapshot
    from remit.http.deps import get_context, get_mailer, get_renderer, get_storage, get_topic

    app.include_routers()
    clients: list[Any] = [get_context().store.table, get_topic(), get_storage(), get_renderer(), get_mailer()]
    for adapter in clients:
        getattr(adapter, "client", None)  # each makes its client on first use


try:
    # Lambda's Python runtimes (3.12 and later) carry this module; tests and the local
    # cloud do not, and there is nothing to snapshot there.
    from snapshot_restore_py import register_after_restore, register_before_snapshot
except ImportError:
    pass
else:
    register_before_snapshot(prime)
    # Every container restored from one snapshot starts with the PRNG state it holds; the
    # retry jitter (remit.services.retry) must differ between them, so reseed from urandom.
    register_after_restore(random.seed)
