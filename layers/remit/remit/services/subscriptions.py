from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from remit.domain.catalogue import Price
from remit.domain.events import Event, EventType
from remit.domain.subscription import AutoPayOverride, Subscription, SubscriptionItem
from remit.errors import Conflict, NotFound, ValidationFailed
from remit.ids import new_id
from remit.schemas.subscription import (
    CancelIn,
    SubscriptionCreate,
    SubscriptionItemIn,
    SubscriptionOut,
    SubscriptionPage,
    SubscriptionPatch,
)
from remit.services.billing import BillingService
from remit.services.context import Context
from remit.services.events import make_events, subscription_data
from remit.services.retry import optimistic

ChangeFn = Callable[[Subscription, datetime], Subscription]


class SubscriptionService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock

    def _get(self, org_id: str, subscription_id: str) -> Subscription:
        sub = self.store.subscriptions.get(org_id, subscription_id)
        if sub is None:
            raise NotFound(f"no subscription {subscription_id}", field="id")
        return sub

    def _items(
        self, org_id: str, wanted: Sequence[SubscriptionItemIn]
    ) -> tuple[list[SubscriptionItem], Price]:
        """Items from recurring prices that share one currency and one interval (one
        invoice per period bills them all); returns them and the first price."""
        prices = self.store.products.prices(org_id, [w.price_id for w in wanted])
        items, first = [], None
        for i, want in enumerate(wanted):
            field = f"items[{i}].priceId"
            found = prices.get(want.price_id)
            if found is None:
                raise NotFound("no such price", field=field)
            price, product_name = found
            if price.recurring is None:
                raise Conflict("a subscription needs recurring prices", field=field)
            if not price.active:
                raise Conflict("the price is archived", field=field)
            first = first or price
            if price.currency != first.currency or price.recurring != first.recurring:
                raise Conflict("all items must share the first item's currency and interval", field=field)
            items.append(
                SubscriptionItem(
                    id=new_id("si", self.clock),
                    price_id=price.id,
                    product_id=price.product_id,
                    description=product_name,
                    quantity=want.quantity,
                    unit_amount=price.unit_amount,
                    tax_rate=price.tax_rate,
                )
            )
        assert first is not None  # the schema requires at least one item
        return items, first

    def create(self, org_id: str, body: SubscriptionCreate) -> SubscriptionOut:
        if self.store.accounts.get(org_id, body.account_id) is None:
            raise NotFound(f"no account {body.account_id}", field="accountId")
        items, price = self._items(org_id, body.items)
        assert price.recurring is not None
        now = self.clock.now()
        start = body.start_date or now
        anchor = body.billing_anchor or start
        if anchor < start:
            raise ValidationFailed(
                "the billing anchor cannot be before the start date", field="billingAnchor"
            )
        sub = Subscription(
            id=new_id("sub", self.clock),
            organization_id=org_id,
            account_id=body.account_id,
            currency=price.currency,
            recurring=price.recurring,
            items=items,
            collection_method=body.collection_method,
            auto_pay=AutoPayOverride(**body.auto_pay.model_dump()) if body.auto_pay else None,
            start_date=start,
            billing_anchor=anchor,
            # Billed in advance: the first invoice is due at the start.
            next_period_start=start,
            created_at=now,
            updated_at=now,
        )
        self.store.subscriptions.save(sub, None, self._events(sub, "subscription.created", now))
        # A subscription that starts now gets its first invoice now, not at the next run.
        BillingService(self.ctx).bill(org_id, sub.id)
        return SubscriptionOut.of(self._get(org_id, sub.id))

    def get(self, org_id: str, subscription_id: str) -> SubscriptionOut:
        return SubscriptionOut.of(self._get(org_id, subscription_id))

    def list(self, org_id: str, account_id: str | None, limit: int, cursor: str | None) -> SubscriptionPage:
        subs, next_cursor = self.store.subscriptions.list(org_id, account_id, limit, cursor)
        return SubscriptionPage(data=[SubscriptionOut.of(s) for s in subs], next_cursor=next_cursor)

    def update(self, org_id: str, subscription_id: str, body: SubscriptionPatch) -> SubscriptionOut:
        def attempt(_: int) -> SubscriptionOut:
            sub = self._get(org_id, subscription_id)
            now = self.clock.now()
            updated = sub
            if body.items is not None:
                items, price = self._items(org_id, body.items)
                if price.currency != sub.currency or price.recurring != sub.recurring:
                    raise Conflict(
                        "new items must keep the subscription's currency and interval",
                        field="items[0].priceId",
                    )
                updated = updated.with_items(items, now)
            changes: dict[str, object] = {}
            if body.collection_method is not None:
                changes["collection_method"] = body.collection_method
            if "auto_pay" in body.model_fields_set:
                changes["auto_pay"] = AutoPayOverride(**body.auto_pay.model_dump()) if body.auto_pay else None
            if changes:
                updated = updated.model_copy(
                    update={**changes, "updated_at": now, "version": sub.version + 1}
                )
            self.store.subscriptions.save(
                updated, sub.version, self._events(updated, "subscription.updated", now)
            )
            return SubscriptionOut.of(updated)

        return optimistic(attempt, what="the subscription")

    def pause(self, org_id: str, subscription_id: str) -> SubscriptionOut:
        # A period that began while active is billed even if the run has not got to it yet.
        BillingService(self.ctx).bill(org_id, subscription_id)
        return self._change(org_id, subscription_id, lambda s, now: s.paused(now), "subscription.paused")

    def resume(self, org_id: str, subscription_id: str) -> SubscriptionOut:
        self._change(org_id, subscription_id, lambda s, now: s.resumed(now), "subscription.resumed")
        # Resuming exactly on a period boundary bills that period at once.
        BillingService(self.ctx).bill(org_id, subscription_id)
        return self.get(org_id, subscription_id)

    def cancel(self, org_id: str, subscription_id: str, body: CancelIn) -> SubscriptionOut:
        BillingService(self.ctx).bill(org_id, subscription_id)
        kind: EventType = "subscription.updated" if body.at_period_end else "subscription.canceled"
        return self._change(org_id, subscription_id, lambda s, now: s.canceled(now, body.at_period_end), kind)

    def _change(
        self, org_id: str, subscription_id: str, change: ChangeFn, kind: EventType
    ) -> SubscriptionOut:
        def attempt(_: int) -> SubscriptionOut:
            sub = self._get(org_id, subscription_id)
            now = self.clock.now()
            after = change(sub, now)
            self.store.subscriptions.save(after, sub.version, self._events(after, kind, now))
            return SubscriptionOut.of(after)

        return optimistic(attempt, what="the subscription")

    def _events(self, sub: Subscription, kind: EventType, now: datetime) -> Sequence[Event]:
        return make_events(sub, [(kind, subscription_data(sub))], now, self.clock)
