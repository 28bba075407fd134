"""Works the collections queue the sweeper fills: for each invoice whose collection
wake-up has come, performs the reminders, past-due transition, dunning steps and late fees
that are due, each once (remit.services.collections; docs/collections.md)."""

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger, tracer
from remit.store.collections import COLLECTIONS

# Emails through the delivery service (reminders attach no PDF; the service wants the
# documents port all the same), SMS through SNS (remit.wiring).
collections = wiring.collection_service(wiring.context())
processor = BatchProcessor(event_type=EventType.SQS)


def work(record: SQSRecord) -> None:
    job = json.loads(record.body)
    if job["kind"] != COLLECTIONS:
        raise ValueError(f"not a collections job: {job['kind']}")
    done = collections.run(job["organizationId"], job["id"])
    if done:
        logger.info(
            "collection steps", extra={"invoice": job["id"], "steps": [(r.key, r.status) for r in done]}
        )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    # A failed record (SES down, a step claimed by another run) goes back to the queue; after
    # five receives to the DLQ. The others are done.
    return process_partial_response(event=event, record_handler=work, processor=processor, context=context)
