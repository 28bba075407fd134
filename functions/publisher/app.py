"""Carries outbox events from the table's stream to the events topic (remit.services.publishing)."""

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger, metrics, tracer

publisher = wiring.publisher(wiring.context())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    outcome = publisher.publish(event.get("Records", []))
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(outcome.published))
    if outcome.skipped:
        logger.info("already published, skipped", extra={"eventIds": outcome.skipped})
    if outcome.failed:
        # Lambda resumes from the first of these; the ones before it are done.
        logger.error("publishing stopped", extra={"error": outcome.error, "remaining": len(outcome.failed)})
        metrics.add_metric(name="PublishFailures", unit=MetricUnit.Count, value=1)
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in outcome.failed]}
