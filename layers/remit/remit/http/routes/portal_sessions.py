from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from remit.errors import NotFound
from remit.http.deps import Tenant, get_context
from remit.http.idempotency import answer_holds_secrets
from remit.pages.links import PageLinks
from remit.schemas.portal import PortalSessionIn, PortalSessionOut
from remit.services.context import Context

router = Router()

AccountId = Annotated[str, Path(min_length=1, max_length=64)]


def page_links(ctx: Annotated[Context, Depends(get_context)]) -> PageLinks:
    return PageLinks(ctx)


@router.post(
    "/accounts/<accountId>/portal-sessions",
    summary="A customer portal link for the account: invoices, payments, payment methods",
    tags=["Accounts"],
    responses={201: {"description": "Created", "content": {"application/json": {"model": PortalSessionOut}}}},
)
def create_portal_session(
    accountId: AccountId,
    body: PortalSessionIn,
    org: Tenant,
    links: Annotated[PageLinks, Depends(page_links)],
) -> tuple[PortalSessionOut, int]:
    if links.store.accounts.get(org, accountId) is None:
        raise NotFound(f"no account {accountId}", field="accountId")
    # The link is its secret: a replay under the same Idempotency-Key mints a fresh one (an
    # hour-long link costs nothing) rather than the record keeping this one.
    answer_holds_secrets(router, "url", replay="fresh")
    url, expires_at = links.portal_session(org, accountId, body.flow or "none", body.return_url)
    return PortalSessionOut(url=url, expires_at=expires_at.isoformat().replace("+00:00", "Z")), 201
