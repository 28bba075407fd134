from __future__ import annotations

from tests.support.api_client import ApiClient


def test_a_new_organization_has_the_seed_defaults(api: ApiClient) -> None:
    reply = api.get("/organization")
    assert reply.status == 200
    assert reply.body["name"] == "Acme"
    settings = reply.body["invoiceSettings"]
    assert settings["invoicePrefix"] == "INV-"
    assert settings["invoiceNumberFormat"] == "YYYY-NNNNN"
    assert settings["defaultPaymentTerms"] == "net_30"
    assert settings["attachPdf"] is True
    assert reply.body["settings"]["defaultAutoPayTiming"] == "on_due_date"


def test_invoice_settings_take_the_seed_call_as_written(api: ApiClient) -> None:
    seed_call = {
        "invoicePrefix": "INV-",
        "invoiceNumberFormat": "YYYY-NNNNN",
        "defaultDeliveryMethod": "email",
        "attachPdf": True,
        "ccFinanceTeam": True,
        "ccEmails": ["finance@acme.example"],
        "defaultPaymentTerms": "net_30",
        "lateFeePercentage": 1.5,
        "logoUrl": "https://example.com/logo.png",
        "accentColor": "#00BA61",
        "footerText": "Thank you for your business!",
    }
    reply = api.patch("/organization/invoice-settings", seed_call)
    assert reply.status == 200, reply
    got = reply.body["invoiceSettings"]
    assert got["lateFeePercentage"] == "1.5"
    assert got["ccEmails"] == ["finance@acme.example"]
    assert got["footerText"] == "Thank you for your business!"
    assert api.get("/organization").body["invoiceSettings"] == got


def test_a_partial_update_leaves_the_other_settings_alone(api: ApiClient) -> None:
    api.patch("/organization/invoice-settings", {"footerText": "Danke"})
    reply = api.patch("/organization/invoice-settings", {"defaultPaymentTerms": "net_14"})
    assert reply.body["invoiceSettings"]["footerText"] == "Danke"
    assert reply.body["invoiceSettings"]["defaultPaymentTerms"] == "net_14"


def test_bad_settings_are_refused_naming_the_field(api: ApiClient) -> None:
    cases = [
        ({"invoiceNumberFormat": "YYYY"}, "invoiceNumberFormat"),
        ({"invoicePrefix": "<script>"}, "invoicePrefix"),
        ({"defaultPaymentTerms": "net_1000"}, "defaultPaymentTerms"),
        ({"lateFeePercentage": -1}, "lateFeePercentage"),
        ({"accentColor": "green"}, "accentColor"),
        ({"logoUrl": "file:///etc/passwd"}, "logoUrl"),
        ({"ccEmails": ["not-an-email"]}, "ccEmails[0]"),
        ({"unknownSetting": True}, "unknownSetting"),
    ]
    for body, field in cases:
        reply = api.patch("/organization/invoice-settings", body)
        assert (reply.status, reply.body["code"], reply.body["field"]) == (422, "validation_error", field), (
            body
        )
    assert api.get("/organization").body["invoiceSettings"]["invoiceNumberFormat"] == "YYYY-NNNNN"


def test_organization_settings(api: ApiClient) -> None:
    reply = api.patch(
        "/organization/settings",
        {"defaultAutoPayTiming": "days_before_due", "defaultCurrency": "EUR", "name": "Acme GmbH"},
    )
    assert reply.status == 200, reply
    assert reply.body["name"] == "Acme GmbH"
    assert reply.body["settings"] == {
        "defaultCurrency": "EUR",
        "defaultLanguage": "en",
        "defaultAutoPayTiming": "days_before_due",
        "draftWindowMinutes": 60,
        "invoiceLinkDays": 90,
        "portalShowDrafts": True,
        "timeZone": "UTC",
        "dailyRunTime": "09:00",
    }
    assert api.patch("/organization/settings", {"invoiceLinkDays": 0}).status == 422
    assert (
        api.patch("/organization/settings", {"invoiceLinkDays": 7}).body["settings"]["invoiceLinkDays"] == 7
    )
    # ISO 4217 codes, upper case, as the schema lists them: nothing is guessed.
    for code in ("ABC", "eur", None):
        bad = api.patch("/organization/settings", {"defaultCurrency": code})
        assert (bad.status, bad.body["field"]) == (422, "defaultCurrency"), code
