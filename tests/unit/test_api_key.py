from __future__ import annotations

from datetime import UTC, datetime

import pytest

from remit.domain.api_key import issue, parse_token, verify

NOW = datetime(2026, 1, 15, tzinfo=UTC)


def test_a_key_verifies_only_with_its_own_secret() -> None:
    key, token = issue("org_1", "ci", "full", NOW)
    parsed = parse_token(token)
    assert parsed is not None
    key_id, secret = parsed
    assert key_id == key.id
    assert verify(key, secret)
    assert not verify(key, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert secret not in key.model_dump_json()  # only the salted hash is kept


def test_a_revoked_key_no_longer_verifies() -> None:
    key, token = issue("org_1", "ci", "full", NOW)
    _, secret = parse_token(token)  # type: ignore[misc]
    assert not verify(key.model_copy(update={"revoked_at": NOW}), secret)


def test_every_key_has_its_own_salt() -> None:
    a, _ = issue("org_1", "a", "full", NOW)
    b, _ = issue("org_1", "b", "full", NOW)
    assert a.salt != b.salt


@pytest.mark.parametrize(
    "token",
    [
        "",
        "rk_",
        "rk_short_secret",
        "sk_01jabcdefghjkmnpqrstvwxyz0_x",
        "rk_01jabcdefghjkmnpqrstvwxyz0_",
        "Bearer rk_x",
    ],
)
def test_malformed_tokens_are_not_parsed(token: str) -> None:
    assert parse_token(token) is None
