"""Saving, listing and removing an account's payment methods, and the one-time warning
that a saved card is about to expire."""

from __future__ import annotations

from datetime import datetime

from remit.adapters.gateway.port import Mandate, MethodRefused
from remit.domain.account import Account
from remit.domain.organization import Organization
from remit.domain.payment_method import AUTO_COLLECTABLE, MethodType, PaymentMethod
from remit.errors import Conflict, NotFound, RemitError
from remit.ids import new_id
from remit.schemas.payment_method import PaymentMethodIn, PaymentMethodList, PaymentMethodOut
from remit.services.context import Context
from remit.services.events import make_events
from remit.services.retry import optimistic
from remit.store.errors import StaleWrite


def method_data(method: PaymentMethod, default_id: str | None) -> dict[str, object]:
    return PaymentMethodOut.of(method, default_id).model_dump(mode="json", by_alias=True)


def refusal(exc: MethodRefused) -> RemitError:
    """A token the gateway does not know is a 404; one it knows but will not save for
    this request (another type, say) conflicts with it: a 409."""
    if exc.code == "resource_missing":
        return NotFound(exc.message, field="gatewayToken", code="resource_missing")
    return Conflict(exc.message, field="gatewayToken", code="payment_method_refused")


class PaymentMethodService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock

    def _account(self, org_id: str, account_id: str) -> Account:
        account = self.store.accounts.get(org_id, account_id)
        if account is None:
            raise NotFound(f"no account {account_id}", field="accountId")
        return account

    def list(self, org_id: str, account_id: str) -> PaymentMethodList:
        account = self._account(org_id, account_id)
        methods = sorted(self.store.payment_methods.for_account(org_id, account_id), key=lambda m: m.id)
        return PaymentMethodList(
            data=[PaymentMethodOut.of(m, account.default_payment_method_id) for m in methods]
        )

    def add(self, org_id: str, account_id: str, body: PaymentMethodIn) -> PaymentMethodOut:
        account, org = self.store.accounts.get_with_organization(org_id, account_id)
        if account is None or org is None:
            raise NotFound(f"no account {account_id}", field="accountId")
        if not org.payment_settings.accepts(body.type):
            raise Conflict(
                f"the organization does not accept {body.type}", field="type", code="method_not_accepted"
            )
        now = self.clock.now()
        if body.type not in AUTO_COLLECTABLE:
            # Paid by the customer, recorded by hand: nothing for a gateway to hold.
            method = PaymentMethod(
                id=new_id("pm", self.clock),
                organization_id=org_id,
                account_id=account_id,
                type=body.type,
                gateway=org.payment_settings.gateway,
                gateway_ref=body.type,
                created_at=now,
            )
        else:
            assert body.gateway_token is not None  # PaymentMethodIn requires it for these types
            try:
                method = self.save_at_gateway(org, account, body.type, body.gateway_token)
            except MethodRefused as exc:
                raise refusal(exc) from exc
        return self.attach(account, method, body.make_default, now)

    def save_at_gateway(
        self,
        org: Organization,
        account: Account,
        method_type: MethodType,
        token: str,
        mandate: Mandate | None = None,
    ) -> PaymentMethod:
        """Have the organization's gateway keep the method the token names, under the
        account's gateway customer if it has one (a bank debit with its ``mandate``); the
        method to ``attach``. Raises MethodRefused for the caller to answer in its terms."""
        gateway = self.ctx.gateway(org.payment_settings.gateway)
        existing = self.store.payment_methods.for_account(org.id, account.id)
        saved = gateway.save_method(
            org_id=org.id,
            account_id=account.id,
            method_type=method_type,
            token=token,
            customer=next((m.gateway_customer for m in existing if m.gateway_customer), None),
            mandate=mandate,
        )
        return PaymentMethod(
            id=new_id("pm", self.clock),
            organization_id=org.id,
            account_id=account.id,
            type=method_type,
            gateway=gateway.name,
            gateway_ref=saved.ref,
            gateway_customer=saved.customer,
            card=saved.card,
            bank=saved.bank,
            created_at=self.clock.now(),
        )

    def attach(
        self, account: Account, method: PaymentMethod, make_default: bool, now: datetime
    ) -> PaymentMethodOut:
        """Store the method; it becomes the default if asked, or if the account has no
        auto-collectable default yet (so AutoPay has something to charge)."""

        def attempt(n: int) -> PaymentMethodOut:
            current = account if n == 0 else self._account(method.organization_id, method.account_id)
            default = current.default_payment_method_id
            becomes_default = method.auto_collectable and (make_default or default is None)
            change = None
            if becomes_default:
                after = current.model_copy(
                    update={
                        "default_payment_method_id": method.id,
                        "updated_at": now,
                        "version": current.version + 1,
                    }
                )
                change = (current, after)
                default = method.id
            events = make_events(
                _MethodSubject(method),
                [("payment_method.attached", method_data(method, default))],
                now,
                self.clock,
            )
            self.store.payment_methods.add(method, change, events)
            return PaymentMethodOut.of(method, default)

        return optimistic(attempt, what="the account")

    def remove(self, org_id: str, account_id: str, method_id: str) -> None:
        def attempt(_: int) -> None:
            account = self._account(org_id, account_id)
            method = self.store.payment_methods.get(org_id, account_id, method_id)
            if method is None:
                raise NotFound(f"no payment method {method_id}", field="paymentMethodId")
            now = self.clock.now()
            change = None
            if account.default_payment_method_id == method_id:
                change = (
                    account,
                    account.model_copy(
                        update={
                            "default_payment_method_id": None,
                            "updated_at": now,
                            "version": account.version + 1,
                        }
                    ),
                )
            events = make_events(
                _MethodSubject(method), [("payment_method.detached", {"id": method.id})], now, self.clock
            )
            self.store.payment_methods.remove(method, change, events)

        optimistic(attempt, what="the account")

    def warn_expiring(self, org_id: str, account_id: str, method_id: str) -> bool:
        """Write payment_method.expiring once for a card inside its warning window."""
        method = self.store.payment_methods.get(org_id, account_id, method_id)
        now = self.clock.now()
        if method is None or not method.expires_within_warning(now.date()):
            return False
        account = self.store.accounts.get(org_id, account_id)
        after = method.model_copy(update={"expiry_notified_at": now, "version": method.version + 1})
        data = {
            **method_data(method, account.default_payment_method_id if account else None),
            "accountEmail": account.email if account else None,
        }
        events = make_events(_MethodSubject(method), [("payment_method.expiring", data)], now, self.clock)
        try:
            self.store.payment_methods.mark_expiry_notified(method, after, events)
        except StaleWrite:
            return False  # another worker wrote it first
        return True


class _MethodSubject:
    """Events about a payment method are about its account's customer: subject = method."""

    def __init__(self, method: PaymentMethod) -> None:
        self.id = method.id
        self.organization_id = method.organization_id
