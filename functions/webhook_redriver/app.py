"""Tries again what SNS could not deliver to a webhook endpoint, with backoff, for up to
three days after the event (remit.services.webhooks.Redriver)."""

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger, metrics, tracer
from remit.settings import get_settings

redriver = wiring.redriver(wiring.context())
sqs = boto3.client("sqs")
queue_url = get_settings().need("webhook_dlq_url")
# SQS hides a message for at most twelve hours at a time.
MAX_VISIBILITY = 12 * 3600


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    failures = []
    for record in event.get("Records", []):
        verdict = redriver.handle(record["body"])
        metrics.add_metric(name=f"Webhook_{verdict.action}", unit=MetricUnit.Count, value=1)
        if verdict.action == "wait":
            # Reported as failed so Lambda keeps it, and hidden until its next try is due.
            sqs.change_message_visibility(
                QueueUrl=queue_url,
                ReceiptHandle=record["receiptHandle"],
                VisibilityTimeout=min(MAX_VISIBILITY, int(verdict.wait.total_seconds()) + 1),
            )
            failures.append({"itemIdentifier": record["messageId"]})
        elif verdict.action in ("abandoned", "unreadable"):
            logger.warning("webhook event dropped", extra={"why": verdict.action, "id": verdict.event_id})
    return {"batchItemFailures": failures}
