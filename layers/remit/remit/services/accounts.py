from __future__ import annotations

from remit import money
from remit.domain.account import Account, AccountInvoiceSettings
from remit.errors import NotFound
from remit.ids import new_id
from remit.schemas.account import AccountCreate, AccountOut, AccountPage, AccountPatch
from remit.services.context import Context
from remit.services.retry import optimistic


def _checked_settings(settings: AccountInvoiceSettings) -> AccountInvoiceSettings:
    if settings.currency:
        return settings.model_copy(
            update={"currency": money.check_currency(settings.currency, "invoiceSettings.currency")}
        )
    return settings


class AccountService:
    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store
        self.clock = ctx.clock

    def _get(self, org_id: str, account_id: str) -> Account:
        account = self.store.accounts.get(org_id, account_id)
        if account is None:
            raise NotFound(f"no account {account_id}", field="id")
        return account

    def get(self, org_id: str, account_id: str) -> AccountOut:
        return AccountOut.of(self._get(org_id, account_id))

    def create(self, org_id: str, body: AccountCreate, account_id: str | None = None) -> AccountOut:
        """``account_id``: an id reserved beforehand (a checkout without an account records
        it on its session first, so a second post creates nothing new)."""
        now = self.clock.now()
        settings = AccountInvoiceSettings(
            **(body.invoice_settings.model_dump(exclude_none=True) if body.invoice_settings else {})
        )
        account = Account(
            id=account_id or new_id("acc", self.clock),
            organization_id=org_id,
            name=body.name,
            email=body.email,
            phone=body.phone,
            invoice_settings=_checked_settings(settings),
            auto_pay_enabled=body.auto_pay_enabled,
            auto_pay_timing=body.auto_pay_timing,
            auto_pay_days_before=body.auto_pay_days_before,
            time_zone=body.time_zone,
            created_at=now,
            updated_at=now,
        )
        self.store.accounts.create(account)
        return AccountOut.of(account)

    def update(self, org_id: str, account_id: str, body: AccountPatch) -> AccountOut:
        changes = body.model_dump(exclude_unset=True, exclude={"invoice_settings"})
        settings_patch = body.invoice_settings.model_dump(exclude_unset=True) if body.invoice_settings else {}
        if settings_patch.get("recipients") is None and "recipients" in settings_patch:
            settings_patch["recipients"] = []

        method_id = changes.get("default_payment_method_id")
        if method_id is not None and self.store.payment_methods.get(org_id, account_id, method_id) is None:
            raise NotFound(f"the account has no payment method {method_id}", field="defaultPaymentMethodId")

        def attempt(_: int) -> AccountOut:
            account = self._get(org_id, account_id)
            settings = _checked_settings(account.invoice_settings.model_copy(update=settings_patch))
            updated = account.model_copy(
                update={
                    **changes,
                    "invoice_settings": settings,
                    "updated_at": self.clock.now(),
                    "version": account.version + 1,
                }
            )
            self.store.accounts.replace(updated, account.version)
            return AccountOut.of(updated)

        return optimistic(attempt, what="the account")

    def list(self, org_id: str, limit: int, cursor: str | None) -> AccountPage:
        accounts, next_cursor = self.store.accounts.list(org_id, limit, cursor)
        return AccountPage(data=[AccountOut.of(a) for a in accounts], next_cursor=next_cursor)
