"""Payment methods, payment settings, AutoPay settings and POST /invoices/{id}/pay
through the API handler (moto's DynamoDB, the sandbox gateway)."""

from __future__ import annotations

from typing import Any

from tests.support.api_client import ApiClient
from tests.support.builders import issue, line


def attach(api: ApiClient, account_id: str, token: str, **extra: Any) -> dict[str, Any]:
    reply = api.post(
        f"/accounts/{account_id}/payment-methods", {"type": "card", "gatewayToken": token, **extra}
    )
    assert reply.status == 201, reply
    return reply.body  # type: ignore[no-any-return]


def test_a_card_is_attached_by_token_and_the_first_becomes_the_default(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
) -> None:
    visa = attach(api, account["id"], "pm_card_visa")
    assert visa["card"] == {"brand": "visa", "last4": "4242", "expMonth": 12, "expYear": 2029}
    assert (visa["type"], visa["autoCollectable"], visa["isDefault"]) == ("card", True, True)
    mastercard = attach(api, account["id"], "pm_card_mastercard")
    assert mastercard["isDefault"] is False
    attach(api, account["id"], "pm_card_amex", makeDefault=True)

    listed = api.get(f"/accounts/{account['id']}/payment-methods").body["data"]
    assert [(m["card"]["brand"], m["isDefault"]) for m in listed] == [
        ("visa", False),
        ("mastercard", False),
        ("amex", True),
    ]
    assert api.get(f"/accounts/{account['id']}").body["defaultPaymentMethodId"] == listed[2]["id"]


def test_a_wire_method_needs_no_token_and_is_never_the_autopay_default(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
) -> None:
    reply = api.post(f"/accounts/{account['id']}/payment-methods", {"type": "wire"})
    assert reply.status == 201, reply
    assert (reply.body["autoCollectable"], reply.body["isDefault"]) == (False, False)


def test_unknown_tokens_and_card_numbers_are_refused(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    unknown = api.post(
        f"/accounts/{account['id']}/payment-methods", {"type": "card", "gatewayToken": "pm_nope"}
    )
    # A token the gateway does not know is a reference to nothing; one of another type conflicts.
    assert (unknown.status, unknown.body["code"], unknown.body["field"]) == (
        404,
        "resource_missing",
        "gatewayToken",
    )
    other_type = api.post(
        f"/accounts/{account['id']}/payment-methods", {"type": "ach", "gatewayToken": "pm_card_visa"}
    )
    assert (other_type.status, other_type.body["code"]) == (409, "payment_method_refused")
    by_hand = api.post(f"/accounts/{account['id']}/payment-methods", {"type": "wire", "gatewayToken": "x_1"})
    assert (by_hand.status, by_hand.body["field"]) == (422, "gatewayToken")
    assert api.get(f"/accounts/{account['id']}/payment-methods").body["data"] == []
    number = api.post(
        f"/accounts/{account['id']}/payment-methods", {"type": "card", "cardNumber": "4242424242424242"}
    )
    assert number.status == 422
    missing = api.post(f"/accounts/{account['id']}/payment-methods", {"type": "card"})
    assert (missing.status, missing.body["field"]) == (422, "gatewayToken")


def test_removing_the_default_leaves_the_account_without_one(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
) -> None:
    visa = attach(api, account["id"], "pm_card_visa")
    assert api.delete(f"/accounts/{account['id']}/payment-methods/{visa['id']}").status == 204
    assert api.get(f"/accounts/{account['id']}/payment-methods").body["data"] == []
    assert api.get(f"/accounts/{account['id']}").body["defaultPaymentMethodId"] is None
    again = api.delete(f"/accounts/{account['id']}/payment-methods/{visa['id']}")
    assert again.status == 404


def test_account_autopay_settings_and_a_default_that_must_be_the_accounts(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
) -> None:
    visa = attach(api, account["id"], "pm_card_visa")
    reply = api.patch(
        f"/accounts/{account['id']}",
        {"autoPayEnabled": True, "autoPayTiming": "days_before_due", "autoPayDaysBefore": 5},
    )
    assert reply.status == 200, reply
    body = reply.body
    assert (body["autoPayEnabled"], body["autoPayTiming"], body["autoPayDaysBefore"]) == (
        True,
        "days_before_due",
        5,
    )
    assert body["defaultPaymentMethodId"] == visa["id"]
    other = api.post("/accounts", {"name": "Other"}).body["id"]
    foreign = api.patch(f"/accounts/{other}", {"defaultPaymentMethodId": visa["id"]})
    assert (foreign.status, foreign.body["field"]) == (404, "defaultPaymentMethodId")


def test_payment_settings_defaults_and_patch(api: ApiClient) -> None:
    settings = api.get("/organization").body["paymentSettings"]
    assert settings["gateway"] == "sandbox"
    assert settings["retryPolicies"] == {
        "card": {"retries": 3, "hoursBetween": 24},
        "ach": {"retries": 2, "hoursBetween": 72},
        "sepa": {"retries": 2, "hoursBetween": 72},
    }
    reply = api.patch(
        "/organization/payment-settings",
        {
            "acceptedMethods": ["card", "wire"],
            "displayWireInstructions": True,
            "wireInstructions": {
                "bankName": "First Bank",
                "accountNumber": "123456789",
                "routingNumber": "021000021",
                "reference": "Invoice {{invoice_number}}",
            },
            "retryPolicies": {"card": {"retries": 4, "hoursBetween": 12}},
        },
    )
    assert reply.status == 200, reply
    settings = reply.body["paymentSettings"]
    assert settings["acceptedMethods"] == ["card", "wire"]
    assert settings["wireInstructions"]["reference"] == "Invoice {{invoice_number}}"
    assert settings["retryPolicies"]["card"] == {"retries": 4, "hoursBetween": 12}
    assert settings["retryPolicies"]["ach"] == {"retries": 2, "hoursBetween": 72}

    too_many = api.patch(
        "/organization/payment-settings", {"retryPolicies": {"card": {"retries": 5, "hoursBetween": 1}}}
    )
    assert too_many.status == 422
    unaccepted = api.post("/accounts", {"name": "Bank customer"}).body["id"]
    refused = api.post(
        f"/accounts/{unaccepted}/payment-methods", {"type": "ach", "gatewayToken": "pm_usBankAccount_success"}
    )
    assert (refused.status, refused.body["field"]) == (409, "type")


def test_wire_instructions_must_exist_to_be_displayed(api: ApiClient) -> None:
    reply = api.patch("/organization/payment-settings", {"displayWireInstructions": True})
    assert (reply.status, reply.body["field"]) == (409, "wireInstructions")


def test_pay_charges_the_default_method_and_lists_the_attempt(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
) -> None:
    attach(api, account["id"], "pm_card_visa")
    inv = issue(api, account["id"], line("120.50"))["id"]
    reply = api.post(f"/invoices/{inv}/pay")
    assert reply.status == 200, reply
    assert (reply.body["status"], reply.body["amountPaid"]) == ("paid", "120.50")
    [attempt] = reply.body["paymentAttempts"]
    assert (attempt["amount"], attempt["status"], attempt["trigger"], attempt["methodType"]) == (
        "120.50",
        "succeeded",
        "manual",
        "card",
    )
    assert attempt["gatewayChargeId"].startswith("ch_sandbox_")
    again = api.post(f"/invoices/{inv}/pay")
    assert (again.status, again.body["code"]) == (409, "invalid_state")


def test_pay_with_a_given_method_and_a_decline_is_402(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
) -> None:
    attach(api, account["id"], "pm_card_visa")
    declined = attach(api, account["id"], "pm_card_chargeDeclinedExpiredCard")
    inv = issue(api, account["id"], line("1500.00"))["id"]
    reply = api.post(f"/invoices/{inv}/pay", {"paymentMethodId": declined["id"]})
    assert (reply.status, reply.body["code"]) == (402, "payment_failed")
    assert "expired" in reply.body["message"]
    [attempt] = api.get(f"/invoices/{inv}").body["paymentAttempts"]
    assert (attempt["status"], attempt["gatewayCode"], attempt["retryable"]) == (
        "failed",
        "expired_card",
        False,
    )
    assert api.get(f"/invoices/{inv}").body["status"] == "issued"


def test_pay_without_a_method_is_a_409(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    inv = issue(api, account["id"], line("1500.00"))["id"]
    reply = api.post(f"/invoices/{inv}/pay")
    assert (reply.status, reply.body["code"]) == (409, "no_payment_method")


def test_on_issue_autopay_charges_at_finalization(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    attach(api, account["id"], "pm_card_visa")
    api.patch(f"/accounts/{account['id']}", {"autoPayEnabled": True, "autoPayTiming": "on_issue"})
    inv = api.post(
        "/invoices", {"accountId": account["id"], "lineItems": [{"description": "x", "unitAmount": "9.99"}]}
    )
    reply = api.post(f"/invoices/{inv.body['id']}/finalize")
    assert reply.status == 200, reply
    assert (reply.body["status"], reply.body["autoPay"], reply.body["amountPaid"]) == ("paid", True, "9.99")
    assert [a["trigger"] for a in reply.body["paymentAttempts"]] == ["autopay"]


def test_on_due_date_autopay_is_scheduled_not_charged(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    attach(api, account["id"], "pm_card_visa")
    api.patch(f"/accounts/{account['id']}", {"autoPayEnabled": True})  # the organization's default timing
    inv = issue(api, account["id"], line("1500.00"))["id"]
    body = api.get(f"/invoices/{inv}").body
    assert (body["status"], body["autoPay"], body["nextPaymentAttempt"]) == (
        "issued",
        True,
        "2026-02-14T00:00:00Z",
    )
    assert body["dueDate"] == "2026-02-14"
