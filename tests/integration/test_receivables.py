"""The receivables report over DynamoDB Local and its real stream: the aggregates that
ReceivablesFunction keeps, applied from the stream's records (twice, as a redelivery
would), checked against figures worked out by hand and against a recomputation from
every invoice and payment of the organization."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from remit import money
from remit.clock import FixedClock
from remit.dashboard.app import build_app
from remit.dashboard.auth import Jwks, TokenVerifier
from remit.dashboard.web import Wiring
from remit.domain.receivables import BUCKETS, bucket, invoice_contribution, payment_contribution
from remit.schemas.invoice import PaymentIn
from remit.services.context import Context
from remit.services.invoices import InvoiceService
from remit.services.receivables import Aggregator, ReceivablesService
from remit.store.table import Table
from tests.dashboard.conftest import CLIENT_ID, ISSUER, Browser, FakeSignIn, Keys, issued_invoice

pytestmark = pytest.mark.integration


@pytest.fixture
def org(new_org: Any) -> str:
    return str(new_org("Receivables"))


def stream_records(table: Table, org: str) -> list[dict[str, Any]]:
    """The stream's records about ``org``'s data, oldest first, as Lambda gets them."""
    streams = boto3.client("dynamodbstreams", endpoint_url=table.client.meta.endpoint_url)
    arn = table.client.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    prefix = f"ORG#{org}#"
    records: list[dict[str, Any]] = []
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    for shard in sorted(shards, key=lambda s: s["SequenceNumberRange"]["StartingSequenceNumber"]):
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            out = streams.get_records(ShardIterator=iterator, Limit=1000)
            if not out["Records"]:
                break
            records += [r for r in out["Records"] if r["dynamodb"]["Keys"]["pk"]["S"].startswith(prefix)]
            iterator = out.get("NextShardIterator")
    return records


@pytest.fixture
def pump(ctx: Context, table: Table, org: str) -> Any:
    """ReceivablesFunction's work over the stream so far, from its start every time:
    records applied before must add nothing again."""

    def run() -> int:
        return Aggregator(ctx).apply(stream_records(table, org))

    return run


def at(clock: FixedClock, when: datetime) -> None:
    clock.set(when)


def test_report_from_the_store_matches_hand_figures_and_a_recomputation(
    ctx: Context, clock: FixedClock, org: str, pump: Any
) -> None:
    invoices = InvoiceService(ctx)
    # Issued on 2026-03-01 with net_30: due 2026-03-31, 76 days late on 2026-06-15.
    at(clock, datetime(2026, 3, 1, 10, tzinfo=UTC))
    old_usd = issued_invoice(ctx, org, "1000.00", "USD")
    voided = issued_invoice(ctx, org, "5000.00", "USD")
    written_off = issued_invoice(ctx, org, "300.00", "EUR")
    # Issued 2026-05-01: due 2026-05-31, 15 days late.
    at(clock, datetime(2026, 5, 1, 10, tzinfo=UTC))
    eur = issued_invoice(ctx, org, "250.50", "EUR")
    jpy = issued_invoice(ctx, org, "12000", "JPY")
    # Issued this month: not yet due.
    at(clock, datetime(2026, 6, 2, 10, tzinfo=UTC))
    current_usd = issued_invoice(ctx, org, "80.00", "USD")
    paid_in_full = issued_invoice(ctx, org, "40.00", "USD")

    at(clock, datetime(2026, 5, 20, 10, tzinfo=UTC))  # last month: not "this month"
    invoices.record_payment(org, old_usd, PaymentIn.model_validate({"amount": "100.00", "method": "check"}))
    at(clock, datetime(2026, 6, 10, 10, tzinfo=UTC))
    invoices.record_payment(
        org, old_usd, PaymentIn.model_validate({"amount": "150.00", "method": "wire_transfer"})
    )
    invoices.record_payment(
        org, paid_in_full, PaymentIn.model_validate({"amount": "40.00", "method": "check"})
    )
    invoices.record_payment(org, jpy, PaymentIn.model_validate({"amount": "2000", "method": "wire_transfer"}))
    invoices.void(org, voided)
    invoices.mark_uncollectible(org, written_off)
    at(clock, datetime(2026, 6, 15, 12, tzinfo=UTC))

    assert pump() > 0
    assert pump() == 0  # the same records again (a redelivered batch) change nothing
    report = ReceivablesService(ctx).report(org)
    usd, eur_row, jpy_row = (report.currency(c) for c in ("USD", "EUR", "JPY"))
    assert usd is not None
    assert eur_row is not None
    assert jpy_row is not None
    assert [c.currency for c in report.currencies] == ["EUR", "JPY", "USD"]
    # USD: 1000 - 100 - 150 = 750 in 61-90; 80 current; the voided 5000 and the paid 40 are 0.
    assert usd.buckets == {**dict.fromkeys(BUCKETS, 0), "61_90": 75_000, "current": 8_000}
    assert usd.outstanding == 83_000
    assert usd.collected_this_month == 15_000 + 4_000  # May's 100.00 is not this month
    assert usd.voided_this_month == 1
    assert eur_row.buckets == {**dict.fromkeys(BUCKETS, 0), "1_30": 25_050}
    assert eur_row.written_off_this_month == 30_000
    assert jpy_row.buckets["1_30"] == 10_000  # 0 decimals: 12000 - 2000 yen
    assert jpy_row.collected_this_month == 2_000
    # Issued in March: 1000 USD (the voided 5000 is zero there too); written off in June.
    assert usd.months["2026-03"]["issued"] == 100_000
    assert usd.months["2026-05"]["collected"] == 10_000
    assert usd.issued_this_month == 8_000 + 4_000
    # DSO over April-June 15 (76 days): 830.00 outstanding / 120.00 issued in June.
    assert usd.dso_days == round(83_000 * 76 / 12_000)
    del eur, current_usd

    # Recompute from every invoice the organization has, through the API's own listing.
    expected: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    cursor = None
    while True:
        page = invoices.list(org, account_id=None, statuses=[], limit=100, cursor=cursor)
        for inv in page.data:
            if inv.status in ("issued", "past_due"):
                expected[inv.currency][bucket(inv.due_date, report.as_of)] += money.parse_amount(
                    inv.amount_due, inv.currency, "amountDue"
                )
        cursor = page.next_cursor
        if cursor is None:
            break
    assert {c.currency: c.buckets for c in report.currencies if c.outstanding} == dict(expected)

    # And the counters themselves equal the sum of every invoice's and payment's share.
    counters: dict[tuple[str, str], int] = defaultdict(int)
    for inv in all_invoices(ctx, org):
        head, payments, _ = ctx.store.invoices.get_detail(org, inv) or pytest.fail("gone")
        for key, amount in (invoice_contribution(head) | {}).items():
            counters[key] += amount
        for payment in payments:
            for key, amount in payment_contribution(payment).items():
                counters[key] += amount
    stored = {
        (item["sk"], name): int(value)
        for prefix in ("OUT#", "MONTH#")
        for item in ctx.store.reports.aggregates(org, prefix)
        for name, value in item.items()
        if name not in ("pk", "sk") and int(value) != 0
    }
    assert stored == {k: v for k, v in counters.items() if v}


def all_invoices(ctx: Context, org: str) -> list[str]:
    ids, cursor = [], None
    while True:
        page = InvoiceService(ctx).list(org, account_id=None, statuses=[], limit=100, cursor=cursor)
        ids += [i.id for i in page.data]
        cursor = page.next_cursor
        if cursor is None:
            return ids


def test_home_page_shows_the_figures_and_a_voided_invoice_as_zero(
    ctx: Context, clock: FixedClock, org: str, pump: Any
) -> None:
    keys = Keys()
    jwks = Jwks("https://cognito.test/jwks.json", fetch=lambda url: keys.jwks())
    browser = Browser(
        build_app(
            Wiring(
                context=lambda: ctx,
                verifier=TokenVerifier(ISSUER, CLIENT_ID, jwks),
                sign_in=FakeSignIn(),
                storage=lambda: pytest.fail("no documents"),
                renderer=lambda: pytest.fail("no documents"),
                mailer=lambda: pytest.fail("no email"),
            )
        )
    )
    at(clock, datetime(2026, 6, 1, 10, tzinfo=UTC))
    kept = issued_invoice(ctx, org, "120.00", "USD")
    voided = issued_invoice(ctx, org, "5000.00", "USD")
    InvoiceService(ctx).void(org, voided)
    pump()
    browser.session = keys.token(org, "finance")
    page = browser.get("/dashboard")
    assert page.status == 200
    assert 'data-total="outstanding"><strong>120.00 USD' in page.body
    assert "5,000" not in page.body
    assert "5000" not in page.body
    assert 'data-total="voided">1<' in page.body
    del kept


def test_the_api_reports_the_same_figures_as_decimal_strings_per_currency(
    ctx: Context, clock: FixedClock, org: str, pump: Any, api_for: Any
) -> None:
    at(clock, datetime(2026, 6, 1, 10, tzinfo=UTC))
    issued_invoice(ctx, org, "120.00", "USD")
    voided = issued_invoice(ctx, org, "5000.00", "USD")
    issued_invoice(ctx, org, "1500", "JPY")
    InvoiceService(ctx).void(org, voided)
    pump()
    reply = api_for(org).get("/reports/receivables")
    assert reply.status == 200, reply
    by_currency = {c["currency"]: c for c in reply.body["currencies"]}
    assert sorted(by_currency) == ["JPY", "USD"]
    usd = by_currency["USD"]
    assert usd["outstanding"] == "120.00"
    assert usd["buckets"] == {
        "current": "120.00",
        "days1To30": "0.00",
        "days31To60": "0.00",
        "days61To90": "0.00",
        "over90": "0.00",
    }
    june = usd["months"][0]
    assert (june["month"], june["issued"], june["voided"]) == ("2026-06", "120.00", 1)
    assert by_currency["JPY"]["outstanding"] == "1500"
