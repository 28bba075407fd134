from __future__ import annotations

from datetime import datetime

from remit import money
from remit.domain.catalogue import Price, Product, Recurring
from remit.errors import Conflict, NotFound
from remit.ids import new_id
from remit.schemas.catalogue import PriceIn, ProductCreate, ProductOut, ProductPage, ProductPatch
from remit.services.context import Context
from remit.services.retry import optimistic

# A rename rewrites the product and a copy of each of its prices in one transaction, and
# DynamoDB takes at most 100 items in one: the product and 99 prices.
MAX_PRICES = 99


class ProductService:
    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store
        self.clock = ctx.clock

    def _price(self, product_id: str, body: PriceIn, field: str, now: datetime) -> Price:
        currency = money.check_currency(body.currency, f"{field}.currency")
        return Price(
            id=new_id("price", self.clock),
            product_id=product_id,
            currency=currency,
            unit_amount=money.parse_amount(body.unit_amount, currency, f"{field}.unitAmount"),
            tax_rate=body.tax_rate,
            recurring=Recurring(**body.recurring.model_dump()) if body.recurring else None,
            created_at=now,
        )

    def create(self, org_id: str, body: ProductCreate) -> ProductOut:
        now = self.clock.now()
        product_id = new_id("prod", self.clock)
        prices = [self._price(product_id, p, f"prices[{i}]", now) for i, p in enumerate(body.prices)]
        product = Product(
            id=product_id,
            organization_id=org_id,
            name=body.name,
            description=body.description,
            prices=prices,
            created_at=now,
            updated_at=now,
        )
        self.store.products.save(product, None, prices)
        return ProductOut.of(product)

    def _get(self, org_id: str, product_id: str) -> Product:
        product = self.store.products.get(org_id, product_id)
        if product is None:
            raise NotFound(f"no product {product_id}", field="id")
        return product

    def get(self, org_id: str, product_id: str) -> ProductOut:
        return ProductOut.of(self._get(org_id, product_id))

    def list(self, org_id: str, limit: int, cursor: str | None) -> ProductPage:
        products, next_cursor = self.store.products.list(org_id, limit, cursor)
        return ProductPage(data=[ProductOut.of(p) for p in products], next_cursor=next_cursor)

    def update(self, org_id: str, product_id: str, body: ProductPatch) -> ProductOut:
        """Rename, describe, (de)activate; add prices; archive prices. A price is never
        changed in place: invoices and subscriptions that use it keep what they billed."""

        def attempt(_: int) -> ProductOut:
            product = self._get(org_id, product_id)
            now = self.clock.now()
            known = {p.id for p in product.prices}
            for i, price_id in enumerate(body.archive_price_ids):
                if price_id not in known:
                    raise NotFound(
                        f"{price_id} is not a price of this product", field=f"archivePriceIds[{i}]"
                    )
            archived = [
                p.model_copy(update={"active": False})
                for p in product.prices
                if p.id in body.archive_price_ids and p.active
            ]
            added = [
                self._price(product.id, p, f"addPrices[{i}]", now) for i, p in enumerate(body.add_prices)
            ]
            if len(product.prices) + len(added) > MAX_PRICES:
                raise Conflict(
                    f"a product holds at most {MAX_PRICES} prices, archived ones included; "
                    f"it has {len(product.prices)}: make a new product for more",
                    field="addPrices",
                    code="too_many_prices",
                )
            archived_ids = {p.id for p in archived}
            prices = [
                p.model_copy(update={"active": False}) if p.id in archived_ids else p for p in product.prices
            ]
            changes = body.model_dump(include={"name", "description", "active"}, exclude_unset=True)
            updated = product.model_copy(
                update={
                    **changes,
                    "prices": [*prices, *added],
                    "updated_at": now,
                    "version": product.version + 1,
                }
            )
            # A new name is copied into every price item; otherwise only the changed ones.
            changed = updated.prices if updated.name != product.name else [*archived, *added]
            self.store.products.save(updated, product.version, changed)
            return ProductOut.of(updated)

        return optimistic(attempt, what="the product")
