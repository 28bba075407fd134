"""Collections: reminders before and after the due date, the past-due transition, dunning
steps and late fees, as the organization configured them (seed: Invoice Reminders,
Dunning & Collections). Pure rules: what is due for an invoice, and when.

Every step has a stable ``key``. The worker claims a step by writing a record under that
key (``ORG#<org>#INV#<inv>`` / ``COLLECTION#STEP#<key>``) before it acts, so a step is done
once whatever the sweeps do. docs/collections.md explains the calendar and the catch-up
rules implemented by ``select``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import Field

from remit.domain.base import DomainModel
from remit.domain.localtime import at_local, start_of_local_day
from remit.errors import NotFound, ValidationFailed

DunningAction = Literal[
    "retry_payment",
    "email_reminder",
    "sms_reminder",
    "pause_subscription",
    "cancel_subscription",
    "mark_uncollectible",
]
DUNNING_ACTIONS: tuple[DunningAction, ...] = (
    "retry_payment",
    "email_reminder",
    "sms_reminder",
    "pause_subscription",
    "cancel_subscription",
    "mark_uncollectible",
)
# Seed: "Actions on persistent failure: pause subscription, cancel subscription, mark as
# collections". Writing the invoice off (uncollectible) is how Remit marks it for collections.
PersistentAction = Literal["pause_subscription", "cancel_subscription", "mark_uncollectible"]

MAX_DAYS = 365
MAX_STEPS = 20
DEFAULT_EMAIL_TEMPLATE = "invoice_reminder"


class BeforeDue(DomainModel):
    enabled: bool = False
    days_before: list[int] = [7, 3, 1]
    template: str = "upcoming_due"


class AfterDue(DomainModel):
    enabled: bool = False
    days_after: list[int] = [1, 7, 14]
    # Day -> template; a day without one gets the gentlest.
    templates: dict[int, str] = {1: "past_due_gentle", 7: "past_due_firm", 14: "past_due_final"}

    def template_for(self, day: int) -> str:
        return self.templates.get(day, "past_due_gentle")


class ReminderSettings(DomainModel):
    before_due: BeforeDue = BeforeDue()
    after_due: AfterDue = AfterDue()


class DunningStep(DomainModel):
    days_past_due: int = Field(ge=0, le=MAX_DAYS)
    action: DunningAction
    template: str | None = None


# The seed's example schedule: the default when dunning is enabled without one.
DEFAULT_SCHEDULE: tuple[DunningStep, ...] = (
    DunningStep(days_past_due=0, action="retry_payment"),
    DunningStep(days_past_due=3, action="email_reminder", template="gentle"),
    DunningStep(days_past_due=3, action="retry_payment"),
    DunningStep(days_past_due=7, action="email_reminder", template="firm"),
    DunningStep(days_past_due=7, action="retry_payment"),
    DunningStep(days_past_due=14, action="email_reminder", template="final"),
    DunningStep(days_past_due=30, action="mark_uncollectible"),
)


class DunningSettings(DomainModel):
    enabled: bool = False
    schedule: list[DunningStep] = []
    persistent_failure_actions: list[PersistentAction] = []

    def effective_schedule(self) -> Sequence[DunningStep]:
        return self.schedule or DEFAULT_SCHEDULE


def dunning_template(name: str | None, known: Iterable[str]) -> str:
    """The seed names dunning templates by their tone (``gentle``); the email templates are
    ``dunning_gentle``. A full template name is taken as it is."""
    names = set(known)
    if name is None:
        return "dunning_gentle"
    if name in names:
        return name
    if f"dunning_{name}" in names:
        return f"dunning_{name}"
    raise NotFound(
        f"no email template {name!r}; use gentle, firm, final or one of: {', '.join(sorted(names))}",
        field="template",
    )


def check_reminders(settings: ReminderSettings, known: Iterable[str]) -> None:
    names = set(known)
    before, after = settings.before_due, settings.after_due
    for field, days in (
        ("beforeDue.daysBefore", before.days_before),
        ("afterDue.daysAfter", after.days_after),
    ):
        if len(set(days)) != len(days):
            raise ValidationFailed("each day may appear once", field=field)
        if any(d < 1 or d > MAX_DAYS for d in days):
            raise ValidationFailed(f"days are between 1 and {MAX_DAYS}", field=field)
    if before.template not in names:
        raise NotFound(f"no email template {before.template!r}", field="beforeDue.template")
    # A template for a day not (yet) in daysAfter is kept for when that day is added.
    for name in after.templates.values():
        if name not in names:
            raise NotFound(f"no email template {name!r}", field="afterDue.templates")


def check_dunning(settings: DunningSettings, known: Iterable[str]) -> DunningSettings:
    """Refuse a schedule that cannot be meant, with the step it is about; returns the
    settings with templates resolved to email template names."""
    names = list(known)
    # Steps run in order of daysPastDue whatever order they were given in (a stable sort
    # keeps the given order within a day).
    steps = sorted(enumerate(settings.schedule), key=lambda given: given[1].days_past_due)
    if len(steps) > MAX_STEPS:
        raise ValidationFailed(f"a schedule has at most {MAX_STEPS} steps", field="schedule")
    resolved = []
    for i, step in steps:
        field = f"schedule[{i}]"  # as given, so the error points at what the caller wrote
        if step.action == "email_reminder":
            step = step.model_copy(update={"template": dunning_template(step.template, names)})
        elif step.template is not None:
            raise ValidationFailed(f"{step.action} takes no template", field=f"{field}.template")
        resolved.append(step)
    if len(set(settings.persistent_failure_actions)) != len(settings.persistent_failure_actions):
        raise ValidationFailed("each action may appear once", field="persistentFailureActions")
    return settings.model_copy(update={"schedule": resolved})


# -- the calendar -----------------------------------------------------------------------

StepKind = Literal["past_due", "reminder", "dunning", "persistent", "late_fee"]
# Steps due at the same moment run in this order: the invoice turns past due, the dunning
# steps act (a retry may collect, so nothing after it is needed), reminders, late fees,
# and what happens on persistent failure last of all.
KIND_ORDER: dict[StepKind, int] = {
    "past_due": 0,
    "dunning": 1,
    "reminder": 2,
    "late_fee": 3,
    "persistent": 4,
}


@dataclass(frozen=True)
class Step:
    key: str
    kind: StepKind
    at: datetime
    action: str
    template: str | None = None
    month: int | None = None
    position: int = 0

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.at, KIND_ORDER[self.kind], self.position)


MIDNIGHT = time(0)


def past_due_from(due: date, zone: str = "UTC") -> datetime:
    """The invoice reads ``past_due`` from 00:00 local on the day after its due date
    (domain.lifecycle), never earlier."""
    return start_of_local_day(due + timedelta(days=1), zone)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def late_fee_at(due: date, month: int, zone: str = "UTC", run_time: time = MIDNIGHT) -> datetime:
    """Month ``month``'s fee is added once the invoice has been past due that many months,
    at the account's daily run time on that local day."""
    return at_local(add_months(due + timedelta(days=1), month), run_time, zone)


def calendar_steps(
    due: date,
    reminders: ReminderSettings,
    dunning: DunningSettings,
    late_fee_percentage: Decimal,
    until: datetime,
    zone: str = "UTC",
    run_time: time = MIDNIGHT,
) -> list[Step]:
    """Every step of the invoice's calendar due at or before ``until``, plus the first one
    after it (the next wake-up), in the order they run. Days are local days in ``zone``;
    each step but the past-due transition runs at ``run_time`` local on its day
    (domain.localtime)."""
    start = past_due_from(due, zone)

    def on(day: date) -> datetime:
        return at_local(day, run_time, zone)

    steps = [Step("past_due", "past_due", start, "past_due")]
    if reminders.before_due.enabled:
        for d in reminders.before_due.days_before:
            steps.append(
                Step(
                    f"reminder#before#{d:03d}",
                    "reminder",
                    on(due - timedelta(days=d)),
                    "email_reminder",
                    reminders.before_due.template,
                )
            )
    if reminders.after_due.enabled:
        for d in reminders.after_due.days_after:
            steps.append(
                Step(
                    f"reminder#after#{d:03d}",
                    "reminder",
                    on(due + timedelta(days=d)),
                    "email_reminder",
                    reminders.after_due.template_for(d),
                )
            )
    if dunning.enabled:
        schedule = dunning.effective_schedule()
        repeats: dict[str, int] = {}
        for i, s in enumerate(schedule):
            template = _email_template(s.template) if s.action == "email_reminder" else None
            # The same action twice on a day is two steps (two emails, say): the second
            # gets its own key, the first keeps the key it always had.
            key = f"dunning#{s.days_past_due:03d}#{s.action}"
            repeats[key] = repeats.get(key, 0) + 1
            steps.append(
                Step(
                    key if repeats[key] == 1 else f"{key}#{repeats[key]}",
                    "dunning",
                    on(due + timedelta(days=1 + s.days_past_due)),
                    s.action,
                    template,
                    position=i,
                )
            )
        last = on(due + timedelta(days=1 + schedule[-1].days_past_due)) if schedule else start
        for i, action in enumerate(dunning.persistent_failure_actions):
            steps.append(Step(f"persistent#{action}", "persistent", last, action, position=i))
    if late_fee_percentage > 0:
        month = 1
        while True:
            at = late_fee_at(due, month, zone, run_time)
            steps.append(Step(f"late_fee#{month:03d}", "late_fee", at, "late_fee", month=month))
            if at > until:
                break
            month += 1
    steps.sort(key=lambda s: s.sort_key)
    later = [s for s in steps if s.at > until]
    return [s for s in steps if s.at <= until] + later[:1]


@dataclass(frozen=True)
class Selection:
    run: list[Step]  # to perform now, in order
    skip: list[Step]  # missed reminders superseded by a later one (recorded, never sent)
    next_at: datetime | None  # when the next step falls due


def select(
    steps: Sequence[Step],
    settled: set[str],
    now: datetime,
    due: date,
    issued_at: datetime,
    zone: str = "UTC",
) -> Selection:
    """What to do now. Each missed dunning step (and late fee) runs once, in order; of the
    reminders that fell due, only the latest is sent, and a reminder before the due date
    that was missed until the due date passed is dropped (it would announce a due date that
    is already behind us). Reminders whose day came before the invoice was issued (7 days
    before the due date of a net_3 invoice) never were due."""
    open_steps = [
        s for s in steps if s.key not in settled and not (s.kind == "reminder" and s.at < issued_at)
    ]
    due_now = [s for s in open_steps if s.at <= now]
    reminders = [s for s in due_now if s.kind == "reminder"]
    skip: list[Step] = []
    if reminders:
        latest = max(reminders, key=lambda s: s.sort_key)
        skip = [s for s in reminders if s is not latest]
        if latest.key.startswith("reminder#before#") and now >= past_due_from(due, zone):
            skip.append(latest)
    run = [s for s in due_now if s not in skip]
    future = [s.at for s in open_steps if s.at > now]
    return Selection(run=run, skip=skip, next_at=min(future) if future else None)


def first_wake(
    due: date,
    issued_at: datetime,
    reminders: ReminderSettings,
    dunning: DunningSettings,
    late_fee_percentage: Decimal,
    zone: str = "UTC",
    run_time: time = MIDNIGHT,
) -> datetime | None:
    """When a newly issued invoice first needs looking at: its first step's time (the
    finalize transaction writes the invoice's wake-up item with it). Every invoice has one
    step at least, its past-due transition."""
    steps = calendar_steps(due, reminders, dunning, late_fee_percentage, issued_at, zone, run_time)
    selection = select(steps, set(), issued_at, due, issued_at, zone)
    return issued_at if selection.run else selection.next_at


def _email_template(name: str | None) -> str:
    # Saved schedules hold resolved names (check_dunning); the default schedule holds the
    # seed's short ones.
    if name is None:
        return "dunning_gentle"
    return name if "_" in name else f"dunning_{name}"


# -- records --------------------------------------------------------------------------------

StepStatus = Literal["running", "done", "skipped", "failed"]
# A step in one of these states is settled: no run performs it again.
SETTLED_STEPS: frozenset[str] = frozenset({"done", "skipped", "failed"})


class StepRecord(DomainModel):
    """One step of one invoice's collection calendar, claimed before it acts.

    ``running`` with ``claimed_until`` is a claim (a lease: a worker that died mid-step
    lets a later run take over after it); ``done``, ``skipped`` and ``failed`` are final.
    ``attempts_before`` (retry_payment) is the invoice's attempt count when the step was
    first claimed, so a run that takes over after a crash charges only if no attempt was
    made since."""

    key: str
    organization_id: str
    invoice_id: str
    kind: StepKind
    action: str
    template: str | None = None
    due_at: datetime
    # Its place among steps due at the same moment (the schedule's order).
    position: int = 0
    status: StepStatus = "running"
    claimed_until: datetime | None = None
    token: str | None = None
    attempts_before: int | None = None
    detail: str | None = None
    started_at: datetime
    finished_at: datetime | None = None

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.due_at, KIND_ORDER[self.kind], self.position)
