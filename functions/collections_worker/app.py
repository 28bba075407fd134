"""Works the collections queue the sweeper fills: for each invoice whose collection
wake-up has come, performs the reminders, past-due transition, dunning steps and late fees
that are due, each once (remit.services.collections; docs/collections.md)."""

import json
import os

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit.adapters.pdf_function import PdfFunction
from remit.adapters.s3 import DocumentBucket
from remit.adapters.ses import SesMailer
from remit.adapters.sms import SnsSms
from remit.observability import logger, tracer
from remit.services.collections import CollectionService
from remit.services.context import Context
from remit.services.delivery import DeliveryService
from remit.services.documents import DocumentService
from remit.store.collections import COLLECTIONS

ctx = Context.from_env()
collections = CollectionService(
    ctx,
    DeliveryService(
        ctx,
        SesMailer(os.environ.get("SES_CONFIGURATION_SET")),
        # Reminders attach no PDF; the service wants the documents port all the same.
        DocumentService(
            ctx, DocumentBucket(os.environ["DOCUMENTS_BUCKET"]), PdfFunction(os.environ["PDF_FUNCTION_NAME"])
        ),
        os.environ["SENDER_ADDRESS"],
    ),
    SnsSms(os.environ.get("SMS_SENDER_ID") or None),
)
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
