"""Every few minutes: find the scheduled work that has fallen due and queue it for the
workers (subscription periods to bill, drafts to finalize, AutoPay charges and retries,
expiring cards, invoices with a reminder, dunning step, past-due transition or late fee
due). Reads only what is due."""

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger, metrics, tracer
from remit.services.sweeps import due_jobs

ctx = wiring.context()
# The queue of each kind of work (AutoPay charges and expiring cards share one).
queues = wiring.job_queues()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    sent = {kind: queue.send(due_jobs(ctx, kind)) for kind, queue in queues.items()}
    for kind, count in sent.items():
        metrics.add_metric(name=f"Queued_{kind}", unit=MetricUnit.Count, value=count)
    logger.info("swept", extra={"queued": sent})
    return sent
