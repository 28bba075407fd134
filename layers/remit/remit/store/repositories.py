"""All repositories over one table, for the services to use."""

from __future__ import annotations

from remit.domain.api_key import ApiKey
from remit.domain.organization import Organization
from remit.store.accounts import AccountRepo
from remit.store.api_keys import ApiKeyRepo, count_op
from remit.store.catalogue import ProductRepo
from remit.store.checkout import CheckoutRepo
from remit.store.collections import CollectionRepo
from remit.store.credit_notes import CreditNoteRepo
from remit.store.emails import DeliveryRepo, EmailTemplateRepo
from remit.store.events import EventRepo
from remit.store.invoices import InvoiceRepo
from remit.store.organizations import OrganizationRepo
from remit.store.page_links import PageLinkRepo
from remit.store.payment_methods import PaymentMethodRepo
from remit.store.payments import PaymentRepo
from remit.store.render_claims import RenderClaimRepo
from remit.store.reports import ReportRepo
from remit.store.sandbox import SandboxLedger
from remit.store.sessions import SignedOutSessions
from remit.store.subscriptions import SubscriptionRepo
from remit.store.table import Table
from remit.store.webhooks import WebhookRepo


class Store:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.organizations = OrganizationRepo(table)
        self.accounts = AccountRepo(table)
        self.invoices = InvoiceRepo(table)
        self.credit_notes = CreditNoteRepo(table)
        self.api_keys = ApiKeyRepo(table)
        self.products = ProductRepo(table)
        self.subscriptions = SubscriptionRepo(table)
        self.events = EventRepo(table)
        self.webhooks = WebhookRepo(table)
        self.payment_methods = PaymentMethodRepo(table)
        self.payments = PaymentRepo(table)
        self.sandbox = SandboxLedger(table)
        self.checkout = CheckoutRepo(table)
        self.email_templates = EmailTemplateRepo(table)
        self.deliveries = DeliveryRepo(table)
        self.collections = CollectionRepo(table)
        self.page_links = PageLinkRepo(table)
        self.reports = ReportRepo(table)
        self.render_claims = RenderClaimRepo(table)
        self.signed_out = SignedOutSessions(table)

    def create_organization(self, org: Organization, first_key: ApiKey) -> None:
        """The organization, its first API key and the count of its full-access keys appear
        together or not at all."""
        full = 1 if first_key.scope == "full" else 0
        self.table.transact(
            [self.organizations.create_op(org), self.api_keys.create_op(first_key), count_op(org.id, full)]
        )
