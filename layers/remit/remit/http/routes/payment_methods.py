from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from remit.http.deps import PaymentMethods, Tenant
from remit.schemas.payment_method import PaymentMethodIn, PaymentMethodList, PaymentMethodOut

router = Router()

AccountId = Annotated[str, Path(min_length=1, max_length=64)]
MethodId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/accounts/<accountId>/payment-methods",
    summary="Attach a payment method by gateway token (never a card number)",
    tags=["Payment methods"],
    responses={201: {"description": "Created", "content": {"application/json": {"model": PaymentMethodOut}}}},
)
def add_payment_method(
    accountId: AccountId, body: PaymentMethodIn, org: Tenant, service: PaymentMethods
) -> tuple[PaymentMethodOut, int]:
    return service.add(org, accountId, body), 201


@router.get(
    "/accounts/<accountId>/payment-methods", summary="An account's payment methods", tags=["Payment methods"]
)
def list_payment_methods(accountId: AccountId, org: Tenant, service: PaymentMethods) -> PaymentMethodList:
    return service.list(org, accountId)


@router.delete(
    "/accounts/<accountId>/payment-methods/<paymentMethodId>",
    summary="Remove a payment method (the default too: the account then has none)",
    tags=["Payment methods"],
    responses={204: {"description": "Deleted"}},
)
def remove_payment_method(
    accountId: AccountId, paymentMethodId: MethodId, org: Tenant, service: PaymentMethods
) -> Response[None]:
    service.remove(org, accountId, paymentMethodId)
    return Response(status_code=204)
