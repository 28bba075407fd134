from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.http.deps import Checkout, Tenant
from remit.schemas.checkout import CheckoutSessionIn, CheckoutSessionOut

router = Router()


@router.post(
    "/checkout-sessions",
    summary="A hosted checkout link: save a payment method (setup) or pay an invoice (payment)",
    tags=["Payment methods"],
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": CheckoutSessionOut}}}
    },
)
def create_checkout_session(
    body: CheckoutSessionIn, org: Tenant, service: Checkout
) -> tuple[CheckoutSessionOut, int]:
    return service.create(org, body), 201
