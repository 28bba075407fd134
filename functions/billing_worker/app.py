"""Bills the subscriptions the sweeper queued: every period that has fallen due, once."""

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger, tracer
from remit.services.billing import BillingService

billing = BillingService(wiring.context())
processor = BatchProcessor(event_type=EventType.SQS)


def bill(record: SQSRecord) -> None:
    job = json.loads(record.body)
    billing.bill(job["organizationId"], job["id"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    # A failed record goes back to the queue (and, after a few tries, to the DLQ); the
    # others are done. Billing is idempotent, so a redelivered record bills nothing twice.
    return process_partial_response(event=event, record_handler=bill, processor=processor, context=context)
