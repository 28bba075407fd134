"""Keeps the receivables aggregates from the table's stream (remit.services.receivables).

Records are applied in order, one transaction each; on a failure the batch reports the
first record not applied, so Lambda retries from there (those before it are done, and a
record applied twice adds nothing the second time)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger, tracer
from remit.services.receivables import Aggregator

aggregator = Aggregator(wiring.context())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    records = event.get("Records", [])
    for record in records:
        try:
            aggregator.apply([record])
        except Exception:
            logger.exception("receivables: record not applied", extra={"eventID": record.get("eventID")})
            # Lambda retries the batch from the lowest sequence number reported.
            return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
    return {"batchItemFailures": []}
