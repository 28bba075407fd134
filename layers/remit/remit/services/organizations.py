from __future__ import annotations

from remit import money
from remit.domain.api_key import ApiKey, Scope, issue
from remit.domain.collections import DunningStep, check_dunning, check_reminders
from remit.domain.numbering import NumberFormat
from remit.domain.organization import Organization
from remit.domain.payment_settings import RetryPolicy, WireInstructions
from remit.errors import Conflict, NotFound, Unavailable
from remit.ids import new_id
from remit.schemas.organization import (
    DunningSettingsPatch,
    InvoiceSettingsPatch,
    OrganizationOut,
    OrganizationSettingsPatch,
    PaymentSettingsPatch,
    ReminderSettingsPatch,
)
from remit.services.context import Context
from remit.services.email_templates import usable_names
from remit.services.retry import optimistic


def stripe_is_set_up() -> None:
    """Refuse to move an organization to Stripe in a deployment with no Stripe secret key,
    rather than have its every charge fail later."""
    from remit.adapters.gateway.stripe_gateway import secret_key

    try:
        secret_key()
    except Unavailable as exc:
        raise Conflict(f"{exc.message}: store it first (docs/payments.md)", field="gateway") from exc


class OrganizationService:
    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store
        self.clock = ctx.clock

    def _get(self, org_id: str) -> Organization:
        org = self.store.organizations.get(org_id)
        if org is None:
            raise NotFound("the organization is gone")
        return org

    def get(self, org_id: str) -> OrganizationOut:
        return OrganizationOut.of(self._get(org_id))

    def create(
        self, name: str, email: str | None = None, key_name: str = "default", scope: Scope = "full"
    ) -> tuple[Organization, str]:
        """A new organization with its first API key; the token is returned once, here."""
        now = self.clock.now()
        org = Organization(
            id=new_id("org", self.clock), name=name, email=email, created_at=now, updated_at=now
        )
        key, token = issue(org.id, key_name, scope, now)
        self.store.create_organization(org, key)
        return org, token

    def create_api_key(self, org_id: str, name: str = "default", scope: Scope = "full") -> tuple[ApiKey, str]:
        """Another API key for an existing organization; the token is returned once, here."""
        self._get(org_id)
        key, token = issue(org_id, name, scope, self.clock.now())
        # Through the repository: a full-access key is counted with it (store/api_keys.py).
        optimistic(lambda _: self.store.api_keys.create(key), what="the organization's API keys")
        return key, token

    def update_invoice_settings(self, org_id: str, patch: InvoiceSettingsPatch) -> OrganizationOut:
        def attempt(_: int) -> OrganizationOut:
            org = self._get(org_id)
            settings = org.invoice_settings.model_copy(update=patch.model_dump(exclude_unset=True))
            # Refuse a numbering format now rather than at the next finalization.
            NumberFormat.parse(settings.invoice_prefix, settings.invoice_number_format)
            NumberFormat.parse(
                settings.credit_note_prefix,
                settings.credit_note_number_format,
                ("creditNotePrefix", "creditNoteNumberFormat"),
            )
            return self._save(org, invoice_settings=settings)

        return optimistic(attempt, what="the organization")

    def update_settings(self, org_id: str, patch: OrganizationSettingsPatch) -> OrganizationOut:
        def attempt(_: int) -> OrganizationOut:
            org = self._get(org_id)
            changes = patch.model_dump(exclude_unset=True)
            name = changes.pop("name", None) or org.name
            if changes.get("default_currency"):
                changes["default_currency"] = money.check_currency(
                    changes["default_currency"], "defaultCurrency"
                )
            return self._save(org, name=name, settings=org.settings.model_copy(update=changes))

        return optimistic(attempt, what="the organization")

    def update_payment_settings(self, org_id: str, patch: PaymentSettingsPatch) -> OrganizationOut:
        given = patch.model_fields_set
        if patch.gateway == "stripe":
            stripe_is_set_up()

        def attempt(_: int) -> OrganizationOut:
            org = self._get(org_id)
            current = org.payment_settings
            changes: dict[str, object] = {}
            for name in ("accepted_methods", "display_wire_instructions", "gateway"):
                if name in given and getattr(patch, name) is not None:
                    changes[name] = getattr(patch, name)
            if "wire_instructions" in given:
                changes["wire_instructions"] = (
                    WireInstructions(**patch.wire_instructions.model_dump())
                    if patch.wire_instructions
                    else None
                )
            if patch.retry_policies:
                changes["retry_policies"] = current.retry_policies | {
                    m: RetryPolicy(**p.model_dump()) for m, p in patch.retry_policies.items()
                }
            settings = current.model_copy(update=changes)
            if settings.display_wire_instructions and settings.wire_instructions is None:
                raise Conflict("give wireInstructions to display them on invoices", field="wireInstructions")
            return self._save(org, payment_settings=settings)

        return optimistic(attempt, what="the organization")

    def update_reminder_settings(self, org_id: str, patch: ReminderSettingsPatch) -> OrganizationOut:
        def attempt(_: int) -> OrganizationOut:
            org = self._get(org_id)
            current = org.reminder_settings
            before = current.before_due.model_copy(
                update=patch.before_due.model_dump(exclude_unset=True) if patch.before_due else {}
            )
            changes = patch.after_due.model_dump(exclude_unset=True) if patch.after_due else {}
            if "templates" in changes:  # JSON object keys are strings; the days are numbers
                changes["templates"] = {int(day): name for day, name in changes["templates"].items()}
            after = current.after_due.model_copy(update=changes)
            if (
                patch.after_due
                and "days_after" in patch.after_due.model_fields_set
                and "templates" not in patch.after_due.model_fields_set
            ):
                # New days without templates: keep the templates of the days still listed.
                after = after.model_copy(
                    update={"templates": {d: t for d, t in after.templates.items() if d in after.days_after}}
                )
            settings = current.model_copy(update={"before_due": before, "after_due": after})
            check_reminders(settings, usable_names(self.store, org_id))
            return self._save(org, reminder_settings=settings)

        return optimistic(attempt, what="the organization")

    def update_dunning_settings(self, org_id: str, patch: DunningSettingsPatch) -> OrganizationOut:
        given = patch.model_fields_set

        def attempt(_: int) -> OrganizationOut:
            org = self._get(org_id)
            changes: dict[str, object] = {}
            if "enabled" in given and patch.enabled is not None:
                changes["enabled"] = patch.enabled
            if "schedule" in given:
                changes["schedule"] = [DunningStep(**s.model_dump()) for s in patch.schedule or []]
            if "persistent_failure_actions" in given:
                changes["persistent_failure_actions"] = patch.persistent_failure_actions or []
            # Built-in templates and the organization's own reminder and dunning ones.
            known = usable_names(self.store, org_id)
            settings = check_dunning(org.dunning_settings.model_copy(update=changes), known)
            return self._save(org, dunning_settings=settings)

        return optimistic(attempt, what="the organization")

    def _save(self, org: Organization, **changes: object) -> OrganizationOut:
        updated = org.model_copy(
            update={**changes, "updated_at": self.clock.now(), "version": org.version + 1}
        )
        self.store.organizations.update_settings(updated, org.version)
        return OrganizationOut.of(updated)
