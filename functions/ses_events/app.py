"""SES's delivery, bounce and complaint notifications (SesEventsTopic, fed by the
configuration set every email is sent with) update the delivery log; a bounce or
complaint is also put on the account."""

import json

from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger, tracer
from remit.services import ses_events
from remit.services.delivery_log import DeliveryLog

log = DeliveryLog(wiring.context())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> None:
    for record in event["Records"]:
        outcome = ses_events.parse(json.loads(record["Sns"]["Message"]))
        if outcome is None:
            continue
        updated = log.record_outcome(
            outcome.tags, outcome.outcome, outcome.at, outcome.addresses, outcome.detail
        )
        logger.info(
            "ses outcome", extra={"outcome": outcome.outcome, "email": updated.id if updated else None}
        )
