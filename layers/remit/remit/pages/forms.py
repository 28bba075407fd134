"""What the pages' forms post: an urlencoded body, one value per field, and where it came
from; and the card, bank account and 3-D Secure answer built from its fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs

from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from remit.adapters.gateway.port import Mandate
from remit.pages.bank import BankForm, BankType
from remit.pages.render import mandate_text
from remit.pages.service import AuthResult, CardForm, NewBank


@dataclass(frozen=True)
class Posted:
    """A form post: its fields (the first value of each), and the address and browser it
    came from (a bank mandate records both)."""

    fields: dict[str, str] = field(default_factory=dict)
    source_ip: str | None = None
    user_agent: str | None = None

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


def read(event: BaseProxyEvent) -> Posted:
    """The post's fields. A body that is not UTF-8 (or not base64 when it says so) raises
    UnicodeDecodeError (binascii.Error): remit.pages.errors answers 400."""
    fields: dict[str, str] = {}
    body = event.decoded_body if event.http_method.upper() == "POST" else None
    if body:
        fields = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    identity = (event.get("requestContext") or {}).get("identity") or {}
    return Posted(fields, identity.get("sourceIp"), event.headers.get("user-agent"))


def card(form: Posted) -> CardForm:
    return CardForm(form.get("number"), form.get("expiry"), form.get("cvc"), form.get("gateway_token"))


def bank(form: Posted, kind: BankType, org_name: str, lang: str, now: datetime) -> NewBank:
    """The bank form's fields, and the mandate as the customer accepted it here: the text
    they were shown, when, from which address and browser."""
    details = BankForm(
        type=kind,
        holder=form.get("account_holder"),
        routing_number=form.get("routing_number"),
        account_number=form.get("account_number"),
        account_type=form.get("account_type", "checking"),
        iban=form.get("iban"),
        mandate=form.get("mandate") == "1",
        token=form.get("bank_token"),
    )
    mandate = Mandate(
        accepted_at=now,
        text=mandate_text(kind, org_name, lang),
        ip_address=form.source_ip,
        user_agent=form.user_agent,
    )
    return NewBank(details, mandate)


def bank_kind(choice: str) -> BankType:
    """``ach`` / ``new_ach`` -> ach; anything else the caller let through is SEPA."""
    return "ach" if choice in ("ach", "new_ach") else "sepa"


def auth_result(form: Posted) -> AuthResult:
    """What the challenge page posted: the sandbox's buttons, or (Stripe) just "check"."""
    wanted = form.get("result")
    if wanted == "complete":
        return "complete"
    if wanted == "fail":
        return "fail"
    return "check"
