"""Settings -> Payments (on /dashboard/settings): accepted methods, wire instructions and
the retry policy per auto-collected method, as ``PATCH /organization/payment-settings``."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.dashboard import choices
from remit.dashboard.deps import Organizations, PostedByAdmin, Visiting
from remit.dashboard.forms import whole
from remit.dashboard.outcome import changed
from remit.dashboard.routes.settings.overview import saved
from remit.schemas.organization import PaymentSettingsPatch

router = Router()


def wire_instructions(v: Visiting) -> dict[str, Any] | None:
    """Typed only with a bank; none typed leaves the saved ones as they are."""
    if not v.field("bankName"):
        return None
    return {
        "bankName": v.field("bankName"),
        "accountNumber": v.field("accountNumber"),
        "routingNumber": v.field("routingNumber") or None,
        "reference": v.field("wireReference") or None,
    }


def retry_policies(v: Visiting) -> dict[str, Any]:
    return {
        method: {
            "retries": whole(v.field(f"retries_{method}")),
            "hoursBetween": whole(v.field(f"hours_{method}")),
        }
        for method in choices.RETRY_METHODS
        if v.field(f"retries_{method}")
    }


def patch(v: Visiting) -> dict[str, Any]:
    body: dict[str, Any] = {
        "acceptedMethods": v.fields("acceptedMethods"),
        "displayWireInstructions": v.field("displayWireInstructions") == "on",
    }
    wire = wire_instructions(v)
    if wire:
        body["wireInstructions"] = wire
    policies = retry_policies(v)
    if policies:
        body["retryPolicies"] = policies
    return body


@router.post("/dashboard/settings/payments")
def save_payments(operator: PostedByAdmin, v: Visiting, service: Organizations) -> Response[str]:
    def save() -> Response[str]:
        service.update_payment_settings(
            operator.organization_id, PaymentSettingsPatch.model_validate(patch(v))
        )
        return saved(v)

    return changed(v, "/settings", save, "", gone=lambda _: True)
