"""The customer-facing pages' Lambda handler: the hosted invoice page, checkout and the
portal as HTML (remit.pages.app's resolver, built by remit.pages.web.from_env), behind the
same REST API with no authorizer: a page is reached by its link's token, never by an API
key."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit.observability import logger, tracer
from remit.pages.web import from_env

app = from_env()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
