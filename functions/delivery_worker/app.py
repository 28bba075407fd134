"""Sends the emails events call for (DeliveryQueue, subscribed to EventsTopic for
invoice.issued, invoice.paid, invoice.payment_failed and payment_method.expiring; the SQS
body is the event JSON). Each email is claimed before it is sent, so a redelivered or
retried message sends nothing twice (remit.services.delivery)."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.domain.events import Event
from remit.observability import logger, tracer

# SES with the configuration set, the documents bucket and the PDF function for a
# missing attachment, the stack's sender address (remit.wiring).
delivery = wiring.delivery_service(wiring.context())
processor = BatchProcessor(event_type=EventType.SQS)


def deliver(record: SQSRecord) -> None:
    event = Event.from_message(record.body)
    sent = delivery.on_event(event)
    if sent is not None:
        logger.info("email", extra={"event": event.id, "email": sent.id, "status": sent.status})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
