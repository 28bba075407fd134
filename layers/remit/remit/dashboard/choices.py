"""The choices every dashboard form offers, taken from the API's own types (the schemas'
and the domain's Literals), so a form can only offer and post what the API accepts: a
value the API calls ``wire`` is ``wire`` here too (it was ``wire_transfer`` once, and the
payments form dropped it on every save)."""

from __future__ import annotations

from typing import get_args

from remit.domain.api_key import Scope
from remit.domain.collections import DUNNING_ACTIONS, PersistentAction
from remit.domain.events import EVENT_TYPES
from remit.domain.lifecycle import REPORTED_STATUSES
from remit.domain.organization import AutoPayTiming, DeliveryMethod
from remit.domain.payment_method import AUTO_COLLECTABLE, METHOD_TYPES
from remit.schemas.invoice import ManualMethod

# Organization and customer: how invoices go out, when AutoPay charges.
DELIVERY_METHODS: tuple[str, ...] = get_args(DeliveryMethod)
AUTO_PAY_TIMINGS: tuple[str, ...] = get_args(AutoPayTiming)
_TIMING_WORDS = {"on_issue": "On issue", "on_due_date": "On due date", "days_before_due": "Days before due"}
AUTO_PAY_TIMING_LABELS = {t: _TIMING_WORDS.get(t, t) for t in AUTO_PAY_TIMINGS}
# Payment settings: the methods accepted, and those with a retry policy (charged by the
# gateway: PaymentSettingsPatch.retryPolicies takes these).
ACCEPTED_METHODS: tuple[str, ...] = METHOD_TYPES
RETRY_METHODS: tuple[str, ...] = tuple(m for m in METHOD_TYPES if m in AUTO_COLLECTABLE)
# A payment recorded by hand (PaymentIn.method).
MANUAL_METHODS: tuple[str, ...] = get_args(ManualMethod)
# Dunning.
STEP_ACTIONS: tuple[str, ...] = DUNNING_ACTIONS
PERSISTENT_ACTIONS: tuple[str, ...] = get_args(PersistentAction)
# Webhook endpoints and API keys.
WEBHOOK_EVENT_TYPES: tuple[str, ...] = EVENT_TYPES
KEY_SCOPES: tuple[str, ...] = get_args(Scope)
_SCOPE_WORDS = {"full": "Full access", "read_only": "Read only (GET)"}
KEY_SCOPE_LABELS = {s: _SCOPE_WORDS.get(s, s) for s in KEY_SCOPES}
# The invoice list's status filter.
INVOICE_STATUSES: tuple[str, ...] = REPORTED_STATUSES
