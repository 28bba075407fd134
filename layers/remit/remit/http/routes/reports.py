from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.http.deps import Receivables, Tenant
from remit.schemas.reports import ReceivablesOut

router = Router()


@router.get(
    "/reports/receivables",
    summary="Outstanding by age and per currency; issued, collected and written off per month; DSO",
    description="Void invoices count as zero everywhere. Figures come from aggregates kept from the "
    "table's stream, so a change shows within seconds.",
    tags=["Reports"],
)
def receivables(org: Tenant, service: Receivables) -> ReceivablesOut:
    return ReceivablesOut.of(service.report(org))
