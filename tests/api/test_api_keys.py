"""API keys through the API: the token once, listings without secrets, revocation that
takes effect on the next request, last use, and no reach into another organization."""

from __future__ import annotations

from datetime import timedelta

from remit.clock import FixedClock
from remit.services.auth import Authenticator
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from tests.support.api_client import ApiClient

SECRET_FIELDS = {"token", "secret", "secretHash", "salt"}


def test_a_new_key_shows_its_token_once_and_authenticates(api: ApiClient, ctx: Context) -> None:
    reply = api.post("/api-keys", {"name": "billing backend"})
    assert reply.status == 201, reply
    created = reply.body
    assert created["token"].startswith("rk_")
    # Enough of the token to tell keys apart (its key id's tail), never the secret part.
    assert created["prefix"][3:] in created["token"].split("_")[1]
    assert (created["name"], created["scope"], created["lastUsedAt"]) == ("billing backend", "full", None)

    key = Authenticator(ctx.store.api_keys, ctx.clock).authenticate(f"Bearer {created['token']}")
    assert key is not None
    assert key.organization_id == api.org_id

    listed = api.get("/api-keys").body["data"]
    assert listed[0]["id"] == created["id"]
    for k in listed:
        assert SECRET_FIELDS.isdisjoint(k)
        assert created["token"] not in str(k)


def test_last_use_is_recorded_at_most_once_a_minute(api: ApiClient, ctx: Context, clock: FixedClock) -> None:
    token = api.post("/api-keys", {"name": "ci"}).body["token"]
    auth = Authenticator(ctx.store.api_keys, clock)
    first = clock.now()
    auth.authenticate(f"Bearer {token}")
    clock.advance(timedelta(seconds=30))
    auth.authenticate(f"Bearer {token}")
    [key] = [k for k in api.get("/api-keys").body["data"] if k["name"] == "ci"]
    assert key["lastUsedAt"] == first.isoformat().replace("+00:00", "Z")
    clock.advance(timedelta(minutes=2))
    auth.authenticate(f"Bearer {token}")
    [key] = [k for k in api.get("/api-keys").body["data"] if k["name"] == "ci"]
    assert key["lastUsedAt"] == clock.now().isoformat().replace("+00:00", "Z")


def test_a_revoked_key_stops_at_once(api: ApiClient, ctx: Context) -> None:
    created = api.post("/api-keys", {"name": "leaked"}).body
    auth = Authenticator(ctx.store.api_keys, ctx.clock)
    assert auth.authenticate(f"Bearer {created['token']}") is not None
    assert api.delete(f"/api-keys/{created['id']}").status == 204
    assert auth.authenticate(f"Bearer {created['token']}") is None
    [listed] = [k for k in api.get("/api-keys").body["data"] if k["id"] == created["id"]]
    assert listed["revokedAt"] is not None
    assert api.delete(f"/api-keys/{created['id']}").status == 204  # again: still revoked, no error


def test_the_last_full_access_key_cannot_be_revoked(api: ApiClient) -> None:
    keys = api.get("/api-keys").body["data"]
    [only] = [k for k in keys if k["scope"] == "full" and k["revokedAt"] is None]
    api.post("/api-keys", {"name": "viewer", "scope": "read_only"})
    reply = api.delete(f"/api-keys/{only['id']}")
    assert (reply.status, reply.body["code"]) == (409, "conflict")
    second = api.post("/api-keys", {"name": "second"}).body
    assert api.delete(f"/api-keys/{only['id']}").status == 204
    assert api.delete(f"/api-keys/{second['id']}").status == 409


def test_another_organizations_key_is_out_of_reach(api: ApiClient, ctx: Context) -> None:
    _, other_token = OrganizationService(ctx).create("Other")
    theirs = Authenticator(ctx.store.api_keys, ctx.clock).authenticate(f"Bearer {other_token}")
    assert theirs is not None
    assert api.delete(f"/api-keys/{theirs.id}").status == 404
    assert theirs.id not in {k["id"] for k in api.get("/api-keys").body["data"]}
    assert Authenticator(ctx.store.api_keys, ctx.clock).authenticate(f"Bearer {other_token}") is not None


def test_bad_key_requests_are_clear_422(api: ApiClient) -> None:
    assert api.post("/api-keys", {}).status == 422
    assert api.post("/api-keys", {"name": "x", "scope": "admin"}).status == 422
    assert api.post("/api-keys", {"name": "x", "secretHash": "mine"}).status == 422
    assert api.delete("/api-keys/not-a-key").status == 422
