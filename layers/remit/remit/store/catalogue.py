from __future__ import annotations

from typing import Any

from remit.domain.catalogue import Price, Product
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.errors import StaleWrite
from remit.store.table import Table, cursor_at, put_op
from remit.store.transactions import transact


class ProductRepo:
    """A product item holds its prices; each price also has an item of its own (written
    in the same transaction) for lookup by price id."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, org_id: str, product_id: str) -> Product | None:
        return load(Product, self.table.get(keys.product(org_id, product_id)))

    def price(self, org_id: str, price_id: str) -> tuple[Price, str] | None:
        """A price and its product's name."""
        item = self.table.get(keys.price(org_id, price_id))
        return None if item is None else (Price.model_validate(item), str(item["productName"]))

    def prices(self, org_id: str, price_ids: list[str]) -> dict[str, tuple[Price, str]]:
        """Several prices in one round trip."""
        unique = list(dict.fromkeys(price_ids))
        items = self.table.get_many([keys.price(org_id, p) for p in unique])
        return {i["id"]: (Price.model_validate(i), str(i["productName"])) for i in items if i is not None}

    def _price_put(self, product: Product, price: Price) -> dict[str, Any]:
        return put_op(
            dump(price, "price", **keys.price(product.organization_id, price.id), productName=product.name)
        )

    def save(self, product: Product, expected_version: int | None, changed_prices: list[Price]) -> None:
        """Write the product (new, or at ``expected_version``) and the price items that
        changed (all of them when the product's name changed)."""
        item = dump(product, "product", **keys.product(product.organization_id, product.id))
        head = (
            put_op(item, "attribute_not_exists(pk)")
            if expected_version is None
            else put_op(item, "version = :v", values={":v": expected_version})
        )
        stale = StaleWrite(product.id)
        ops = [head, *(self._price_put(product, p) for p in changed_prices)]
        transact(self.table, ops, otherwise=stale, on_conflict=stale)

    def list(self, org_id: str, limit: int, cursor: str | None) -> tuple[list[Product], str | None]:
        partition = keys.organization(org_id)["pk"]
        start = keys.product(org_id, cursor) if cursor else None
        page = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": partition, ":prefix": keys.PRODUCT_PREFIX},
            ScanIndexForward=False,
            limit=limit,
            start=start,
        )
        next_cursor = cursor_at(page.last_key, "sk", keys.PRODUCT_PREFIX)
        return [Product.model_validate(i) for i in page.items], next_cursor
