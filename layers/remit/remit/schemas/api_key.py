from __future__ import annotations

from datetime import datetime

from pydantic import Field

from remit.domain.api_key import ApiKey, Scope
from remit.schemas.common import Page, RequestModel, ResponseModel, ShortText


class ApiKeyCreate(RequestModel):
    name: ShortText = Field(examples=["billing backend"])
    scope: Scope = Field("full", description="`read_only` keys may only GET")


class ApiKeyOut(ResponseModel):
    id: str
    name: str
    scope: Scope
    prefix: str = Field(description="The start of the token, to tell keys apart; never the secret")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Within a minute; null if never used")
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            id=key.id,
            name=key.name,
            scope=key.scope,
            prefix=key.display_prefix,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyCreated(ApiKeyOut):
    token: str = Field(description="The key itself: shown this once, never again. Store it now.")


class ApiKeyPage(Page[ApiKeyOut]):
    pass
