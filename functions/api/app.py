"""The JSON API's Lambda handler: every route of the REST API behind the authorizer."""

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
