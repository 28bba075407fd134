from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from remit.domain.numbering import PREFIX_PATTERN
from remit.domain.organization import AutoPayTiming, DeliveryMethod, Organization
from remit.domain.terms import PaymentTerms
from remit.money import canonical
from remit.schemas.common import Currency, Email, Language, Percent, RequestModel, ResponseModel, ShortText

# A simple pattern on purpose: a bounded repeat ({1,2000}) costs pydantic-core ~25 ms to
# compile at import, on every cold start.
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://\S+$", max_length=2008)]
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


class InvoiceSettingsOut(ResponseModel):
    invoice_prefix: str = Field(examples=["INV-"])
    invoice_number_format: str = Field(examples=["YYYY-NNNNN"])
    default_delivery_method: DeliveryMethod
    attach_pdf: bool
    cc_finance_team: bool
    cc_emails: list[str]
    default_payment_terms: str = Field(examples=["net_30"])
    late_fee_percentage: str = Field(examples=["1.5"], description="Percent per month past due")
    logo_url: str | None
    accent_color: str
    footer_text: str | None


class OrganizationSettingsOut(ResponseModel):
    default_currency: str
    default_language: str
    default_auto_pay_timing: AutoPayTiming
    draft_window_minutes: int = Field(
        description="Subscription invoices finalize this long after they are drafted"
    )


class OrganizationOut(ResponseModel):
    id: str
    name: str
    email: str | None
    invoice_settings: InvoiceSettingsOut
    settings: OrganizationSettingsOut

    @classmethod
    def of(cls, org: Organization) -> OrganizationOut:
        s = org.invoice_settings
        return cls(
            id=org.id,
            name=org.name,
            email=org.email,
            invoice_settings=InvoiceSettingsOut(
                **s.model_dump(exclude={"late_fee_percentage"}),
                late_fee_percentage=str(canonical(s.late_fee_percentage)),
            ),
            settings=OrganizationSettingsOut(**org.settings.model_dump()),
        )


class InvoiceSettingsPatch(RequestModel):
    """The seed's ``updateInvoiceSettings``: any subset of the fields."""

    invoice_prefix: Annotated[str, StringConstraints(pattern=PREFIX_PATTERN)] | None = None
    invoice_number_format: Annotated[str, StringConstraints(min_length=3, max_length=30)] | None = None
    default_delivery_method: DeliveryMethod | None = None
    attach_pdf: bool | None = None
    cc_finance_team: bool | None = None
    cc_emails: Annotated[list[Email], Field(max_length=20)] | None = None
    default_payment_terms: PaymentTerms | None = None
    late_fee_percentage: Percent | None = None
    logo_url: HttpsUrl | None = None
    accent_color: HexColor | None = None
    footer_text: Annotated[str, StringConstraints(max_length=500)] | None = None


class OrganizationSettingsPatch(RequestModel):
    """The seed's ``updateSettings``."""

    name: ShortText | None = None
    default_currency: Currency | None = None
    default_language: Language | None = None
    default_auto_pay_timing: AutoPayTiming | None = None
    draft_window_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] | None = None
