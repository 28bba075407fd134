"""Renders invoice and receipt PDFs (WeasyPrint: this function alone carries it, through
the WeasyPrint layer and the fonts beside this file).

Two ways in:
- SQS (DocumentsQueue, subscribed to EventsTopic for invoice.issued, invoice.paid and
  invoice.voided): the document of the invoice's new state is rendered ahead of need.
- Direct invoke ``{"action": "render", "organizationId", "invoiceId", "kind"}`` from the
  API or the delivery worker when a document is wanted and not there yet; answers
  ``{"key": ...}``; ``{"action": "preview", "organizationId"}`` renders the dashboard's
  branding preview (a sample invoice with the organization's saved settings).
The renderer is built once per container (fonts and stylesheet loaded, see
remit.documents.pdf) and reused by every invocation."""

from pathlib import Path

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.documents.pdf import PdfRenderer
from remit.domain.events import Event
from remit.observability import logger, tracer
from remit.services.documents import DocumentService

renderer = PdfRenderer(Path(__file__).parent / "fonts")
documents = DocumentService(wiring.context(), wiring.document_storage())
processor = BatchProcessor(event_type=EventType.SQS)

# What each event makes: the invoice as it now is, and once paid its receipt.
DOCUMENTS_FOR = {
    "invoice.issued": ("invoice",),
    "invoice.paid": ("invoice", "receipt"),
    "invoice.voided": ("invoice",),
}


def render_event(record: SQSRecord) -> None:
    event = Event.from_message(record.body)
    for kind in DOCUMENTS_FOR.get(event.type, ()):
        # Ahead of need: if someone else is rendering this version now, leave it to them.
        documents.render(event.organization_id, event.subject_id, kind, renderer.render, wait=False)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if "Records" in event:
        return process_partial_response(
            event=event, record_handler=render_event, processor=processor, context=context
        )
    if event.get("action") == "preview":
        # The dashboard's branding preview: a sample invoice with the saved settings.
        return {"key": documents.render_preview(event["organizationId"], renderer.render)}
    if event.get("action") != "render" or event.get("kind") not in ("invoice", "receipt"):
        raise ValueError("expected {action: render, organizationId, invoiceId, kind: invoice|receipt}")
    key = documents.render(event["organizationId"], event["invoiceId"], event["kind"], renderer.render)
    return {"key": key}
