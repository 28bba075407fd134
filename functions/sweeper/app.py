"""Every few minutes: find the scheduled work that has fallen due and queue it for the
workers (subscription periods to bill, drafts to finalize, AutoPay charges and retries,
expiring cards, invoices with a reminder, dunning step, past-due transition or late fee
due). Reads only what is due."""

import os

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit.adapters.sqs import JobQueue
from remit.observability import logger, metrics, tracer
from remit.services.context import Context
from remit.services.sweeps import due_jobs
from remit.store.collections import COLLECTIONS
from remit.store.invoices import AUTOPAY, FINALIZE
from remit.store.payment_methods import EXPIRING
from remit.store.subscriptions import BILLING

ctx = Context.from_env()
autopay = JobQueue(os.environ["AUTOPAY_QUEUE_URL"])
queues = {
    BILLING: JobQueue(os.environ["BILLING_QUEUE_URL"]),
    FINALIZE: JobQueue(os.environ["FINALIZE_QUEUE_URL"]),
    # Charges due and cards to warn about share the AutoPay queue and worker.
    AUTOPAY: autopay,
    EXPIRING: autopay,
    COLLECTIONS: JobQueue(os.environ["COLLECTIONS_QUEUE_URL"]),
}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    sent = {kind: queue.send(due_jobs(ctx, kind)) for kind, queue in queues.items()}
    for kind, count in sent.items():
        metrics.add_metric(name=f"Queued_{kind}", unit=MetricUnit.Count, value=count)
    logger.info("swept", extra={"queued": sent})
    return sent
