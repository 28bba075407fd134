"""Works the AutoPay queue the sweeper fills: charge an invoice whose AutoPay time (or
retry) has come, reconcile an attempt whose claim lapsed, warn once of an expiring card.
Each job is idempotent, so a repeated or overlapping sweep charges nothing twice."""

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger, tracer
from remit.services.payment_methods import PaymentMethodService
from remit.services.payments import PaymentService
from remit.store.invoices import AUTOPAY
from remit.store.payment_methods import EXPIRING

ctx = wiring.context()
payments = PaymentService(ctx)
methods = PaymentMethodService(ctx)
processor = BatchProcessor(event_type=EventType.SQS)


def work(record: SQSRecord) -> None:
    job = json.loads(record.body)
    if job["kind"] == AUTOPAY:
        payments.collect_due(job["organizationId"], job["id"])
    elif job["kind"] == EXPIRING:
        methods.warn_expiring(job["organizationId"], job["accountId"], job["id"])
    else:
        raise ValueError(f"not an AutoPay job: {job['kind']}")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    # A failed record goes back to the queue (after five tries, to the DLQ); the rest are done.
    return process_partial_response(event=event, record_handler=work, processor=processor, context=context)
