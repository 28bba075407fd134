"""API Gateway's throttles, emulated by the local gateway from template.yaml: the usage
plan throttles each organization on its own (the authorizer's usageIdentifierKey), and
the hosted pages and sign-in have method limits of their own. Time is a fake clock."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import pytest

from remit.services.auth import usage_key
from remit.services.organizations import OrganizationService
from remit_local.gateway import Gateway
from remit_local.intrinsics import Resolver
from remit_local.restapi import rest_apis
from remit_local.stack import LocalStack
from remit_local.template import TEMPLATE, load
from remit_local.throttle import Limit, Throttle, TokenBucket, decode_resource_path, limit_for, retry_after
from tests.local.client import call

NewOrg = Callable[..., tuple[str, str]]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- the bucket ---------------------------------------------------------------------------


def test_a_bucket_starts_full_and_refills_at_its_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(Limit(rate=2, burst=3), clock())
    assert [bucket.take(clock()) for _ in range(3)] == [None, None, None]
    assert bucket.take(clock()) == pytest.approx(0.5)  # one token comes back in 1/rate s
    clock.now += 0.25
    assert bucket.take(clock()) == pytest.approx(0.25)
    clock.now += 0.25
    assert bucket.take(clock()) is None
    clock.now += 60  # never more than the burst
    assert [bucket.take(clock()) for _ in range(4)][-1] is not None


def test_a_bucket_without_a_rate_never_refills() -> None:
    bucket = TokenBucket(Limit(rate=0, burst=1), 0.0)
    assert bucket.take(0.0) is None
    assert bucket.take(1e9) == math.inf
    assert retry_after(math.inf) == "60"
    assert retry_after(0.01) == "1"
    assert retry_after(2.2) == "3"


def test_throttle_keeps_one_bucket_per_name() -> None:
    clock = FakeClock()
    throttle = Throttle(clock)
    limit = Limit(rate=1, burst=1)
    assert throttle.take(("key", "Api", "a"), limit) is None
    assert throttle.take(("key", "Api", "a"), limit) is not None
    assert throttle.take(("key", "Api", "b"), limit) is None


# -- what the template says -----------------------------------------------------------------


def test_the_template_s_limits_are_read_with_the_stage_resolved() -> None:
    dev = rest_apis(TEMPLATE, Resolver(load(TEMPLATE), {}, {"Stage": "dev"}).resolve)["Api"]
    prod = rest_apis(TEMPLATE, Resolver(load(TEMPLATE), {}, {"Stage": "prod"}).resolve)["Api"]
    assert dev.api_key_source == "AUTHORIZER"
    assert dev.api_key_required
    assert dev.usage_plan == Limit(10, 20)
    assert prod.usage_plan == Limit(50, 100)
    custom = Resolver(load(TEMPLATE), {}, {"OrganizationRateLimit": "7", "OrganizationBurstLimit": "9"})
    assert rest_apis(TEMPLATE, custom.resolve)["Api"].usage_plan == Limit(7, 9)
    # The pages and the sign-in have limits of their own, tighter than every other method's.
    default = limit_for(dev.method_limits, "/invoices", "GET")
    page = limit_for(dev.method_limits, "/i/{token}", "GET")
    sign_in = limit_for(dev.method_limits, "/dashboard/sign-in", "POST")
    assert default is not None
    assert page is not None
    assert sign_in is not None
    assert default[0] == ("/*", "*")
    assert page[0] == ("/i/{token}", "GET")
    assert sign_in[1].rate < page[1].rate < default[1].rate
    assert decode_resource_path("/~1portal~1{token}") == "/portal/{token}"


# -- through the gateway -----------------------------------------------------------------


@pytest.fixture
def throttled(stack: LocalStack) -> Iterator[tuple[Gateway, FakeClock]]:
    """The stack's gateway with its throttles on, on a clock that only the test moves."""
    gateway = stack.deployments[0].gateway
    assert gateway is not None
    clock = FakeClock()
    saved = gateway.throttle
    gateway.throttle = Throttle(clock)
    try:
        yield gateway, clock
    finally:
        gateway.throttle = saved


def test_one_organization_is_throttled_while_another_is_served(
    stack: LocalStack, new_org: NewOrg, throttled: tuple[Gateway, FakeClock]
) -> None:
    gateway, clock = throttled
    plan = gateway.apis["Api"].usage_plan
    assert plan is not None
    _, noisy = new_org("Noisy Co")
    quiet_id, quiet = new_org("Quiet Co")
    url = f"{stack.api_url}/organization"
    for _ in range(plan.burst):
        assert call("GET", url, key=noisy).status == 200
    reply = call("GET", url, key=noisy)
    assert reply.status == 429
    assert reply.json == {
        "code": "rate_limited",
        "message": reply.json["message"],
        "field": None,
    }
    assert int(reply.headers["Retry-After"]) >= 1
    # The other organization has a bucket of its own.
    reply = call("GET", url, key=quiet)
    assert reply.status == 200
    assert reply.json["id"] == quiet_id
    # A token comes back after 1/rate seconds.
    clock.now += 1 / plan.rate
    assert call("GET", url, key=noisy).status == 200
    assert call("GET", url, key=noisy).status == 429


def test_an_organization_s_keys_share_its_bucket(
    stack: LocalStack, new_org: NewOrg, throttled: tuple[Gateway, FakeClock]
) -> None:
    """The authorizer names the organization's usage key, not the API key's: a second
    key does not double an organization's limit."""
    gateway, _ = throttled
    plan = gateway.apis["Api"].usage_plan
    assert plan is not None
    org_id, first = new_org("Two Keys Co")
    _, second = OrganizationService(stack.context()).create_api_key(org_id, "second", "full")
    url = f"{stack.api_url}/organization"
    for _ in range(plan.burst):
        assert call("GET", url, key=first).status == 200
    assert call("GET", url, key=second).status == 429
    assert usage_key(org_id) == f"remit-usage-{org_id}"
    assert len(usage_key(org_id)) >= 20


def test_the_pages_have_their_own_method_limit(
    stack: LocalStack, throttled: tuple[Gateway, FakeClock]
) -> None:
    gateway, _ = throttled
    found = limit_for(gateway.apis["Api"].method_limits, "/i/{token}", "GET")
    assert found is not None
    assert found[0] == ("/i/{token}", "GET")
    url = f"{stack.api_url}/i/not-a-real-token"
    statuses = [call("GET", url).status for _ in range(found[1].burst + 1)]
    assert 429 not in statuses[:-1]
    assert statuses[-1] == 429
    # Another method is not held back by the pages' bucket.
    assert call("GET", f"{stack.api_url}/organization").status == 401
