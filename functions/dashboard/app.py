"""The operator dashboard's Lambda handler: server-rendered pages under /dashboard on the
REST API, with no API-key authorizer; operators sign in with Cognito (docs/dashboard.md)."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit.dashboard.app import build_app
from remit.dashboard.web import Wiring
from remit.observability import logger, tracer

app = build_app(Wiring.from_env())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
