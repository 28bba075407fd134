"""The REST API's Lambda authorizer: an organization's API key in, an IAM policy out.

The policy's context carries ``organizationId`` to the API function, which scopes every
query by it. Read-only keys are allowed GET only; API Gateway refuses the rest (403).
``usageIdentifierKey`` names the organization's key in the per-organization usage plan,
which throttles each organization on its own (429)."""

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from remit import wiring
from remit.observability import logger
from remit.services.auth import usage_key

# Only the API-key repository: the authorizer never loads the invoice model.
authenticator = wiring.authenticator()


@logger.inject_lambda_context
@event_source(data_class=APIGatewayAuthorizerRequestEvent)
def lambda_handler(event: APIGatewayAuthorizerRequestEvent, context: LambdaContext) -> dict:
    key = authenticator.authenticate(event.headers.get("Authorization"))  # case-insensitive lookup
    if key is None:
        # API Gateway turns exactly this message into a 401.
        raise Exception("Unauthorized")
    arn = event.parsed_arn
    policy = APIGatewayAuthorizerResponse(
        principal_id=key.id,
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        context={"organizationId": key.organization_id, "apiKeyId": key.id, "scope": key.scope},
    )
    if key.scope == "read_only":
        policy.allow_route("GET", "*")
    else:
        policy.allow_all_routes()
    logger.append_keys(organization_id=key.organization_id, api_key_id=key.id)
    return {**policy.asdict(), "usageIdentifierKey": usage_key(key.organization_id)}
