from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from remit.domain.collections import MAX_DAYS, MAX_STEPS, DunningAction, PersistentAction
from remit.domain.localtime import is_zone_name, zone_names
from remit.domain.numbering import FORMAT_PATTERN, PREFIX_PATTERN
from remit.domain.organization import AutoPayTiming, DeliveryMethod, Organization
from remit.domain.payment_method import GatewayName, MethodType
from remit.domain.payment_settings import MAX_RETRIES
from remit.domain.terms import PaymentTerms
from remit.money import canonical
from remit.schemas.common import (
    BLANK,
    Currency,
    Email,
    Language,
    PatchModel,
    Percent,
    RequestModel,
    ResponseModel,
    ShortText,
    WholeNumber,
)

# A simple pattern on purpose: a bounded repeat ({1,2000}) costs pydantic-core ~25 ms to
# compile at import, on every cold start.
HttpsUrl = Annotated[str, StringConstraints(pattern=rf"^https://[^{BLANK}]+$", max_length=2008)]


def _zone_name(value: str) -> str:
    if not is_zone_name(value):
        raise ValueError(f"{value!r} is not an IANA time zone name (e.g. America/New_York)")
    return value


TimeZoneName = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_zone_name),
    # The names themselves, so the schema states the rule (a client can validate, and
    # schemathesis never takes "Mars/Olympus" for valid): tzdata's list, pinned.
    WithJsonSchema(
        {
            "type": "string",
            "enum": list(zone_names()),
            "examples": ["America/New_York"],
            "description": "An IANA time zone name",
        }
    ),
]
LocalTimeOfDay = Annotated[
    str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"), Field(examples=["09:00"])
]
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


class InvoiceSettingsOut(ResponseModel):
    invoice_prefix: str = Field(examples=["INV-"])
    invoice_number_format: str = Field(examples=["YYYY-NNNNN"])
    credit_note_prefix: str = Field("CN-", examples=["CN-"])
    credit_note_number_format: str = Field("YYYY-NNNNN", examples=["YYYY-NNNNN"])
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
    invoice_link_days: int = Field(
        default=90, description="Days the hosted invoice page links in emails stay valid"
    )
    portal_show_drafts: bool = Field(
        default=True,
        description="The customer portal lists drafts too, as not yet issued: never payable, no PDF",
    )
    time_zone: str = Field(
        default="UTC",
        examples=["America/New_York"],
        description="IANA zone whose calendar days invoices count in (accounts may override)",
    )
    daily_run_time: str = Field(
        default="09:00",
        examples=["09:00"],
        description="Local time of day (HH:MM) an account's scheduled work for a day runs",
    )


class RetryPolicyIO(ResponseModel):
    retries: Annotated[int, Field(ge=0, le=MAX_RETRIES, description="Retries after the first failure")]
    hours_between: Annotated[int, Field(ge=1, le=24 * 14, description="Hours after each failure")]


class WireInstructionsIO(ResponseModel):
    bank_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    account_number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    routing_number: Annotated[str, StringConstraints(max_length=64)] | None = None
    reference: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, examples=["{{invoice_number}}"], description="{{invoice_number}} is replaced per invoice"
    )


class PaymentSettingsOut(ResponseModel):
    accepted_methods: list[MethodType]
    display_wire_instructions: bool
    wire_instructions: WireInstructionsIO | None
    gateway: GatewayName
    retry_policies: dict[MethodType, RetryPolicyIO] = Field(
        description="Per auto-collected method: card, ach, sepa (defaults filled in)"
    )


class BeforeDueOut(ResponseModel):
    enabled: bool
    days_before: list[int] = Field(examples=[[7, 3, 1]])
    template: str = Field(examples=["upcoming_due"])


class AfterDueOut(ResponseModel):
    enabled: bool
    days_after: list[int] = Field(examples=[[1, 7, 14]])
    templates: dict[int, str] = Field(
        examples=[{"1": "past_due_gentle", "7": "past_due_firm", "14": "past_due_final"}]
    )


class ReminderSettingsOut(ResponseModel):
    before_due: BeforeDueOut
    after_due: AfterDueOut


class DunningStepIO(ResponseModel):
    days_past_due: Annotated[int, Field(ge=0, le=MAX_DAYS)]
    action: DunningAction
    template: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        None, description="email_reminder only: gentle, firm, final or an email template name"
    )


class DunningSettingsOut(ResponseModel):
    enabled: bool
    schedule: list[DunningStepIO] = Field(
        description="The steps in effect: the seed's example schedule when none was given"
    )
    persistent_failure_actions: list[PersistentAction]


class OrganizationOut(ResponseModel):
    id: str
    name: str
    email: str | None
    invoice_settings: InvoiceSettingsOut
    settings: OrganizationSettingsOut
    payment_settings: PaymentSettingsOut
    reminder_settings: ReminderSettingsOut
    dunning_settings: DunningSettingsOut

    @classmethod
    def of(cls, org: Organization) -> OrganizationOut:
        s = org.invoice_settings
        ps = org.payment_settings
        return cls(
            id=org.id,
            name=org.name,
            email=org.email,
            invoice_settings=InvoiceSettingsOut(
                **s.model_dump(exclude={"late_fee_percentage"}),
                late_fee_percentage=str(canonical(s.late_fee_percentage)),
            ),
            settings=OrganizationSettingsOut(**org.settings.model_dump()),
            payment_settings=PaymentSettingsOut(
                accepted_methods=ps.accepted_methods,
                display_wire_instructions=ps.display_wire_instructions,
                wire_instructions=WireInstructionsIO(**ps.wire_instructions.model_dump())
                if ps.wire_instructions
                else None,
                gateway=ps.gateway,
                retry_policies={
                    m: RetryPolicyIO(**p.model_dump()) for m, p in ps.effective_retry_policies().items()
                },
            ),
            reminder_settings=ReminderSettingsOut.model_validate(org.reminder_settings.model_dump()),
            dunning_settings=DunningSettingsOut(
                enabled=org.dunning_settings.enabled,
                schedule=[
                    DunningStepIO.model_validate(s.model_dump())
                    for s in org.dunning_settings.effective_schedule()
                ],
                persistent_failure_actions=org.dunning_settings.persistent_failure_actions,
            ),
        )


class InvoiceSettingsPatch(PatchModel):
    """The seed's ``updateInvoiceSettings``: any subset of the fields; null clears the
    logo and the footer (a late fee of "0" is none)."""

    clearable = frozenset({"logo_url", "footer_text"})

    invoice_prefix: Annotated[str, StringConstraints(pattern=PREFIX_PATTERN)] | None = None
    invoice_number_format: (
        Annotated[str, StringConstraints(min_length=3, max_length=30, pattern=FORMAT_PATTERN)] | None
    ) = None
    credit_note_prefix: Annotated[str, StringConstraints(pattern=PREFIX_PATTERN)] | None = None
    credit_note_number_format: (
        Annotated[str, StringConstraints(min_length=3, max_length=30, pattern=FORMAT_PATTERN)] | None
    ) = None
    default_delivery_method: DeliveryMethod | None = None
    attach_pdf: StrictBool | None = None
    cc_finance_team: StrictBool | None = None
    cc_emails: Annotated[list[Email], Field(max_length=20)] | None = None
    default_payment_terms: PaymentTerms | None = None
    late_fee_percentage: Percent | None = None
    logo_url: HttpsUrl | None = None
    accent_color: HexColor | None = None
    footer_text: Annotated[str, StringConstraints(max_length=500)] | None = None


class OrganizationSettingsPatch(PatchModel):
    """The seed's ``updateSettings``."""

    name: ShortText | None = None
    default_currency: Currency | None = None
    default_language: Language | None = None
    default_auto_pay_timing: AutoPayTiming | None = None
    draft_window_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60), WholeNumber] | None = None
    invoice_link_days: Annotated[int, Field(ge=1, le=365), WholeNumber] | None = None
    portal_show_drafts: StrictBool | None = None
    time_zone: TimeZoneName | None = None
    daily_run_time: LocalTimeOfDay | None = None


class RetryPolicyIn(RequestModel):
    retries: Annotated[int, Field(ge=0, le=MAX_RETRIES), WholeNumber]
    hours_between: Annotated[int, Field(ge=1, le=24 * 14), WholeNumber]


class WireInstructionsIn(RequestModel):
    bank_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    account_number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    routing_number: Annotated[str, StringConstraints(max_length=64)] | None = None
    reference: Annotated[str, StringConstraints(max_length=200)] | None = None


class PaymentSettingsPatch(PatchModel):
    """Any subset. ``retryPolicies`` merges per method (card, ach, sepa); null removes the
    wire instructions."""

    clearable = frozenset({"wire_instructions"})

    accepted_methods: Annotated[list[MethodType], Field(min_length=1, max_length=5)] | None = None
    display_wire_instructions: StrictBool | None = None
    wire_instructions: WireInstructionsIn | None = None
    gateway: GatewayName | None = None
    retry_policies: dict[Literal["card", "ach", "sepa"], RetryPolicyIn] | None = None


# A day after the due date as an object key: 1 to 365 (MAX_DAYS), written plainly.
DAY_PATTERN = r"^([1-9]|[1-9][0-9]|[12][0-9][0-9]|3[0-5][0-9]|36[0-5])$"
ReminderDays = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_DAYS), WholeNumber]],
    Field(max_length=10, json_schema_extra={"uniqueItems": True}),
]
TemplateName = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class BeforeDuePatch(PatchModel):
    enabled: StrictBool | None = None
    days_before: ReminderDays | None = Field(None, examples=[[7, 3, 1]])
    template: TemplateName | None = Field(None, examples=["upcoming_due"])


class AfterDuePatch(PatchModel):
    enabled: StrictBool | None = None
    days_after: ReminderDays | None = Field(None, examples=[[1, 7, 14]])
    templates: (
        Annotated[
            dict[Annotated[str, StringConstraints(pattern=DAY_PATTERN)], TemplateName],
            Field(max_length=10, json_schema_extra={"propertyNames": {"pattern": DAY_PATTERN}}),
        ]
        | None
    ) = Field(None, examples=[{"1": "past_due_gentle", "7": "past_due_firm", "14": "past_due_final"}])


class ReminderSettingsPatch(PatchModel):
    """The seed's ``updateReminderSettings``: either section, any of its fields."""

    before_due: BeforeDuePatch | None = None
    after_due: AfterDuePatch | None = None


def _template_for_emails(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # DunningStepIn._template_for_emails, stated for clients.
    others = [a for a in get_args(DunningAction) if a != "email_reminder"]
    schema["oneOf"] = [
        {"properties": {"action": {"const": "email_reminder"}}},
        {"properties": {"action": {"enum": others}, "template": False}},
    ]


class DunningStepIn(RequestModel):
    """One step; only ``email_reminder`` takes a template (default ``gentle``)."""

    model_config = ConfigDict(json_schema_extra=_template_for_emails)

    days_past_due: Annotated[int, Field(ge=0, le=MAX_DAYS), WholeNumber]
    action: DunningAction
    template: TemplateName | None = None

    @field_validator("template")
    @classmethod
    def _template_for_emails(cls, template: str | None, info: ValidationInfo) -> str | None:
        # Runs only when a template is given (even as null), after ``action``.
        action = info.data.get("action")
        if action is not None and action != "email_reminder":
            raise ValueError(f"{action} takes no template")
        return template


class DunningSettingsPatch(PatchModel):
    """The seed's ``updateDunningSettings``. ``schedule`` replaces the whole schedule (an
    empty one means the seed's example schedule)."""

    enabled: StrictBool | None = None
    schedule: Annotated[list[DunningStepIn], Field(max_length=MAX_STEPS)] | None = None
    persistent_failure_actions: (
        Annotated[list[PersistentAction], Field(max_length=3, json_schema_extra={"uniqueItems": True})] | None
    ) = None
