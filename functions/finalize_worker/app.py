"""Finalizes the generated drafts whose window has passed, one subscription's drafts in
order (a FIFO queue grouped by subscription), so they are numbered in period order."""

import json

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger, tracer
from remit.services.billing import BillingService

billing = BillingService(wiring.context())
# Stops at the first failure and returns the rest, so a group's order survives retries.
processor = SqsFifoPartialProcessor()


def finalize(record: SQSRecord) -> None:
    job = json.loads(record.body)
    billing.finalize_due(job["organizationId"], job["id"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(
        event=event, record_handler=finalize, processor=processor, context=context
    )
