"""Key builders: the single-table layout in one screen (docs/data-model.md explains it).

Every key of a tenant's data starts with ``ORG#<id>``, so no query can cross tenants:
an id from another organization simply is not under the caller's prefix.
"""

from __future__ import annotations

from remit.store.table import Key


def organization(org_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": "ORG"}


def account(org_id: str, account_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"ACCOUNT#{account_id}"}


ACCOUNT_PREFIX = "ACCOUNT#"


def invoice_collection(org_id: str, invoice_id: str) -> str:
    """The partition that holds an invoice and everything that hangs off it."""
    return f"ORG#{org_id}#INV#{invoice_id}"


# Sort keys in an invoice's collection: the head, then its payments. Both start with
# INVOICE so "get an invoice" is one Query on that prefix.
INVOICE_SK = "INVOICE"
INVOICE_DETAIL_PREFIX = "INVOICE"


def invoice(org_id: str, invoice_id: str) -> Key:
    return {"pk": invoice_collection(org_id, invoice_id), "sk": INVOICE_SK}


def payment(org_id: str, invoice_id: str, payment_id: str) -> Key:
    return {"pk": invoice_collection(org_id, invoice_id), "sk": f"INVOICE#PAYMENT#{payment_id}"}


def invoice_number(org_id: str, number: str) -> Key:
    """Claimed at finalization, so a number can never be handed out twice."""
    return {"pk": f"ORG#{org_id}", "sk": f"INVNUM#{number}"}


def org_invoices(org_id: str) -> str:
    """GSI1 partition: all of an organization's invoices, newest first by id (a ULID)."""
    return f"ORG#{org_id}#INVOICES"


def account_invoices(org_id: str, account_id: str) -> str:
    """GSI2 partition: one account's invoices (``INV#<id>``) and subscriptions (``SUB#<id>``)."""
    return f"ORG#{org_id}#ACC#{account_id}"


def event(org_id: str, event_id: str) -> Key:
    return {"pk": f"ORG#{org_id}#EVENT", "sk": event_id}


def events_of_type(org_id: str, event_type: str) -> str:
    """GSI1 partition: an organization's events of one type, in order."""
    return f"ORG#{org_id}#EVENTTYPE#{event_type}"


def webhook(org_id: str, endpoint_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"WEBHOOK#{endpoint_id}"}


WEBHOOK_PREFIX = "WEBHOOK#"


def api_key(key_id: str) -> Key:
    return {"pk": f"APIKEY#{key_id}", "sk": "APIKEY"}


def org_api_keys(org_id: str) -> str:
    return f"ORG#{org_id}#APIKEYS"


def api_key_count(org_id: str) -> Key:
    """How many of the organization's keys are active with full access, moved in the
    transaction of every such key's creation and revocation (the last one cannot go)."""
    return {"pk": f"ORG#{org_id}", "sk": "APIKEYCOUNT"}


def idempotency_partition(org_id: str) -> str:
    return f"ORG#{org_id}#IDEMPOTENCY"


def product(org_id: str, product_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"PRODUCT#{product_id}"}


PRODUCT_PREFIX = "PRODUCT#"


def price(org_id: str, price_id: str) -> Key:
    """A copy of one price (with its product's name), so a line item or subscription
    item that names only a price id is one GetItem away from it."""
    return {"pk": f"ORG#{org_id}", "sk": f"PRICE#{price_id}"}


def subscription(org_id: str, subscription_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"SUBSCRIPTION#{subscription_id}"}


SUBSCRIPTION_PREFIX = "SUBSCRIPTION#"


def payment_method(org_id: str, account_id: str, method_id: str) -> Key:
    """An account's saved methods share a prefix, so one Query lists them (not under
    ``ACCOUNT#``, which would put them in the account list)."""
    return {"pk": f"ORG#{org_id}", "sk": f"{PAYMENT_METHOD_PREFIX}{account_id}#{method_id}"}


# Sort-key prefix of saved methods; ``PM#<account>#`` lists one account's.
PAYMENT_METHOD_PREFIX = "PM#"


def payment_attempt(org_id: str, invoice_id: str, number: int) -> Key:
    """In the invoice's collection, so ``get an invoice`` reads its attempts too."""
    return {"pk": invoice_collection(org_id, invoice_id), "sk": f"INVOICE#ATTEMPT#{number:04d}"}


def checkout_session(org_id: str, session_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"CHECKOUT#{session_id}"}


def sandbox_partition(org_id: str) -> str:
    """The sandbox gateway's ledger for one organization (its charges, by key)."""
    return f"ORG#{org_id}#SANDBOX"


def sandbox_entry(org_id: str, kind: str, idempotency_key: str) -> Key:
    return {"pk": sandbox_partition(org_id), "sk": f"{kind.upper()}#{idempotency_key}"}


def email_template(org_id: str, name: str, language: str) -> Key:
    """A customized template; ``language`` "*" holds the one for every other language."""
    return {"pk": f"ORG#{org_id}", "sk": f"EMAILTPL#{name}#{language}"}


def account_emails(org_id: str, account_id: str) -> str:
    """Where emails about an account but no invoice (payment method expiring) are logged."""
    return f"ORG#{org_id}#ACC#{account_id}#EMAILS"


EMAIL_PREFIX = "EMAIL#"


def email_delivery(org_id: str, invoice_id: str | None, account_id: str, delivery_id: str) -> Key:
    """An email's delivery record, in its invoice's collection (beside the invoice and its
    payments), or under its account when it concerns no invoice."""
    pk = invoice_collection(org_id, invoice_id) if invoice_id else account_emails(org_id, account_id)
    return {"pk": pk, "sk": f"{EMAIL_PREFIX}{delivery_id}"}


def page_link(org_id: str, link_id: str) -> Key:
    """A hosted-page link (invoice page or portal session); only its secret's hash."""
    return {"pk": f"ORG#{org_id}", "sk": f"LINK#{link_id}"}


def invoice_viewed(org_id: str, invoice_id: str) -> Key:
    """Written once, with ``invoice.viewed``, the first time the hosted page is opened. Not
    under the ``INVOICE`` prefix, so reading an invoice does not read it."""
    return {"pk": invoice_collection(org_id, invoice_id), "sk": "VIEWED"}


def signed_out_session(org_id: str, session_id: str) -> Key:
    """A dashboard session ended by signing out (the hash of its token), kept until the
    token would have expired anyway."""
    return {"pk": f"ORG#{org_id}", "sk": f"SIGNEDOUT#{session_id}"}


def credit_note(org_id: str, credit_note_id: str) -> Key:
    """A credit note's head. Under the organization, so ``GET /credit-notes/{id}`` is one
    GetItem and the organization's credit notes one Query on ``CREDITNOTE#``, newest first."""
    return {"pk": f"ORG#{org_id}", "sk": f"{CREDIT_NOTE_PREFIX}{credit_note_id}"}


CREDIT_NOTE_PREFIX = "CREDITNOTE#"


def invoice_credit_notes(org_id: str, invoice_id: str) -> str:
    """GSI1 partition: one invoice's credit notes (``CN#<id>``)."""
    return f"ORG#{org_id}#INV#{invoice_id}#CREDITNOTES"


def credit_note_number(org_id: str, number: str) -> Key:
    """Claimed when the credit note is issued, so a number is never handed out twice."""
    return {"pk": f"ORG#{org_id}", "sk": f"CNNUM#{number}"}


# The credit notes' counters live in the organization's ``sequences`` beside the
# invoices', under scopes that cannot collide with an invoice scope even when the two
# prefixes and formats are the same.
CREDIT_NOTE_SCOPE_PREFIX = "creditnote:"
