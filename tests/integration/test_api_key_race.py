"""The last full-access key cannot be revoked by a race (issue 17): two revocations of each
other's key, both past the service's read ("another full-access key is left"), meet the
count's condition in DynamoDB Local's transactions, and exactly one of them lands."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest

from remit.domain.api_key import ApiKey
from remit.errors import Conflict, RemitError
from remit.schemas.api_key import ApiKeyCreate
from remit.services.api_keys import LAST_FULL_KEY, ApiKeyService
from remit.services.auth import Authenticator
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.store import keys
from remit.store.api_keys import LastFullKey
from tests.support.api_client import ApiClient

ROUNDS = 10


@pytest.fixture
def reads_meet(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Hold each racer's first read of the key list until both have read it, so both
    decide on the same list ("two full-access keys") before either writes: the race of
    the issue, every time. Call the returned function to arm it for the next race; the
    test's own thread (setting up, checking) is never held."""
    real = ctx.store.api_keys.of_organization
    state: dict[str, Any] = {}
    seen = threading.local()

    def arm() -> None:
        state["barrier"] = threading.Barrier(2, timeout=30)
        state["round"] = state.get("round", 0) + 1

    def held(org_id: str) -> list[ApiKey]:
        listed = real(org_id)
        racing = "round" in state and threading.current_thread() is not threading.main_thread()
        if racing and getattr(seen, "round", None) != state["round"]:  # a retry's read is not held
            seen.round = state["round"]
            state["barrier"].wait()
        return listed

    monkeypatch.setattr(ctx.store.api_keys, "of_organization", held)
    return arm


def race(*acts: Callable[[], None]) -> list[RemitError | None]:
    def run(act: Callable[[], None]) -> RemitError | None:
        try:
            act()
        except RemitError as exc:
            return exc
        return None

    with ThreadPoolExecutor(max_workers=len(acts)) as pool:
        return list(pool.map(run, acts))


def two_full_keys(ctx: Context) -> tuple[str, ApiKey, ApiKey, dict[str, str]]:
    org, first_token = OrganizationService(ctx).create("Keys")
    second = ApiKeyService(ctx).create(org.id, ApiKeyCreate(name="second"))
    auth = Authenticator(ctx.store.api_keys, ctx.clock)
    first = auth.authenticate(f"Bearer {first_token}")
    other = ctx.store.api_keys.get(second.id)
    assert first is not None
    assert other is not None
    return org.id, first, other, {first.id: first_token, other.id: second.token}


@pytest.mark.parametrize("counted", [True, False], ids=["counted", "made-before-the-count"])
def test_two_keys_revoking_each_other_at_once_leave_exactly_one(
    ctx: Context, reads_meet: Callable[[], None], counted: bool
) -> None:
    service = ApiKeyService(ctx)
    auth = Authenticator(ctx.store.api_keys, ctx.clock)
    for _ in range(ROUNDS):
        org, a, b, tokens = two_full_keys(ctx)
        if not counted:
            # An organization from before the count: the first revocation counts its keys.
            ctx.store.table.delete(keys.api_key_count(org))
        reads_meet()
        # Each request is made with one key and revokes the other.
        results = race(partial(service.revoke, org, b.id), partial(service.revoke, org, a.id))

        refused = [r for r in results if r is not None]
        assert len(refused) == 1, results
        assert isinstance(refused[0], Conflict)
        assert (refused[0].code, refused[0].message) == ("conflict", LAST_FULL_KEY)
        working = [k for k, t in tokens.items() if auth.authenticate(f"Bearer {t}") is not None]
        assert len(working) == 1, results
        active = [k for k in service.list(org).data if k.revoked_at is None and k.scope == "full"]
        assert [k.id for k in active] == working
        assert ctx.store.api_keys.full_key_count(org) == 1


def test_a_revocation_decided_on_a_stale_list_is_a_409(
    ctx: Context, api_for: Callable[[str], ApiClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    org, a, b, _ = two_full_keys(ctx)
    api = api_for(org)
    assert api.delete(f"/api-keys/{b.id}").status == 204
    # The list still shows b active (as a lagging index, or a concurrent reader, would):
    # the service's own check passes and the count refuses.
    monkeypatch.setattr(ctx.store.api_keys, "of_organization", lambda _org: [a, b])
    reply = api.delete(f"/api-keys/{a.id}")
    assert reply.status == 409, reply
    assert (reply.body["code"], reply.body["message"]) == ("conflict", LAST_FULL_KEY)
    stored = ctx.store.api_keys.get(a.id)
    assert stored is not None
    assert stored.revoked_at is None


def test_the_count_follows_full_access_keys_only(ctx: Context) -> None:
    service = ApiKeyService(ctx)
    org, a, _, _ = two_full_keys(ctx)
    assert ctx.store.api_keys.full_key_count(org) == 2
    viewer = service.create(org, ApiKeyCreate(name="viewer", scope="read_only"))
    assert ctx.store.api_keys.full_key_count(org) == 2
    service.revoke(org, viewer.id)
    service.revoke(org, viewer.id)  # twice is once
    assert ctx.store.api_keys.full_key_count(org) == 2
    service.revoke(org, a.id)
    service.revoke(org, a.id)
    assert ctx.store.api_keys.full_key_count(org) == 1
    # An organization made with a read-only first key has no full-access key to count.
    ro, _ = OrganizationService(ctx).create("Viewer only", scope="read_only")
    assert ctx.store.api_keys.full_key_count(ro.id) == 0


def test_a_count_missing_is_made_from_the_keys_on_first_use(ctx: Context) -> None:
    service, repo, now = ApiKeyService(ctx), ctx.store.api_keys, ctx.clock.now()
    org, a, b, _ = two_full_keys(ctx)
    service.create(org, ApiKeyCreate(name="viewer", scope="read_only"))
    service.revoke(org, b.id)
    ctx.store.table.delete(keys.api_key_count(org))
    third = service.create(org, ApiKeyCreate(name="third"))  # counts a (b is revoked), adds itself
    assert repo.full_key_count(org) == 2
    ctx.store.table.delete(keys.api_key_count(org))
    # Straight at the store, past the service's check: a revoked key and a read-only one
    # are not counted, so of a and third one may go and the other may not.
    assert repo.revoke(org, a.id, now, scope="full") is True
    with pytest.raises(LastFullKey):
        repo.revoke(org, third.id, now, scope="full")
    assert repo.full_key_count(org) == 1
    assert repo.revoke(org, a.id, now, scope="full") is False  # revoked already: not LastFullKey
